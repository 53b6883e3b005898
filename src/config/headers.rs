//! What may go into a request line or header. A line break in a header
//! value, a key or a model name would let configuration add headers of its
//! own to every request (`x-injected: yes` reached a server before this
//! check), so such text is refused when the agent is built, naming the field.

use crate::error::CascadeError;

/// Header values shorter than this are not treated as secrets: masking
/// `"1"` or `"json"` everywhere would garble messages and hide nothing.
pub const MIN_SECRET_LEN: usize = 8;

/// The first character a header value or request line may not hold:
/// CR, LF, NUL and the other C0 controls but tab, and DEL.
pub fn bad_char(text: &str) -> Option<char> {
    text.chars().find(|&c| (c.is_ascii_control() && c != '\t') || c == '\u{2028}' || c == '\u{2029}')
}

/// Refuse control characters in a value that reaches a request line or a header.
pub fn check_text(text: &str, field: &str) -> Result<(), CascadeError> {
    match bad_char(text) {
        Some(c) => Err(CascadeError::config(format!(
            "{field}: contains the control character {c:?}; line breaks and control characters are not allowed here"
        ))),
        None => Ok(()),
    }
}

/// A header name must be an HTTP token; its value, text without line breaks.
/// The value is never quoted back: it may be a key.
pub fn check_header(name: &str, value: &str, path: &str) -> Result<(), CascadeError> {
    let token = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
    if name.is_empty() || !name.chars().all(token) {
        return Err(CascadeError::config(format!(
            "{path}: {name:?} is not a valid header name (expected letters, digits and - _ . ! # $ % & ' * + ^ ` | ~)"
        )));
    }
    if let Some(c) = bad_char(value) {
        return Err(CascadeError::config(format!(
            "{path}.{name}: the value contains the control character {c:?}; line breaks and control characters are not allowed in headers"
        )));
    }
    Ok(())
}

/// The parts of a URL that are credentials: the userinfo's password (or
/// the whole userinfo when it has no password, as tokens are often put
/// there) and every query value.
pub fn url_secrets(url: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if let Some((userinfo, _)) = authority.rsplit_once('@') {
        match userinfo.split_once(':') {
            Some((_, pass)) if !pass.is_empty() => out.push(pass),
            _ if !userinfo.is_empty() => out.push(userinfo),
            _ => {}
        }
    }
    if let Some((_, query)) = rest.split_once('?') {
        let query = query.split('#').next().unwrap_or("");
        for pair in query.split('&') {
            if let Some((_, v)) = pair.split_once('=') {
                if !v.is_empty() {
                    out.push(v);
                }
            }
        }
    }
    out
}

/// `url` with its credentials masked, for display (`agent.models`).
pub fn masked_url(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    let mut rest = url;
    for secret in url_secrets(url) {
        // Each secret is a slice of `url`, in order: find it by address, so
        // a password equal to the host name masks the password only.
        let start = (secret.as_ptr() as usize).saturating_sub(rest.as_ptr() as usize);
        let (before, after) = (rest.get(..start), rest.get(start.saturating_add(secret.len())..));
        if let (Some(before), Some(after)) = (before, after) {
            out.push_str(before);
            out.push_str("***");
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_refused() {
        assert!(check_text("gpt-4o", "models[0].name").is_ok());
        let e = check_text("gpt-4o\nx-injected: yes", "models[0].name").unwrap_err();
        assert!(e.message.starts_with("models[0].name: contains the control character '\\n'"), "{}", e.message);
        assert!(check_text("a\rb", "f").is_err());
        assert!(check_text("a\0b", "f").is_err());
        assert!(check_text("tab\tok", "f").is_ok());
        assert!(check_text("aé中", "f").is_ok());
    }

    #[test]
    fn header_names_and_values() {
        assert!(check_header("x-api-key", "secret", "h").is_ok());
        assert!(check_header("x bad", "v", "h").is_err());
        assert!(check_header("", "v", "h").is_err());
        assert!(check_header("x-a\nb", "v", "h").is_err());
        let e = check_header("authorization", "Bearer sk-abc\r\nx-injected: yes", "models[0].headers").unwrap_err();
        assert!(
            e.message.contains("models[0].headers.authorization") && !e.message.contains("sk-abc"),
            "{}",
            e.message
        );
    }

    #[test]
    fn credentials_in_urls() {
        assert_eq!(url_secrets("https://user:s3cret@host/v1?key=abc&x=1#f"), vec!["s3cret", "abc", "1"]);
        assert_eq!(url_secrets("https://tok3n@host/v1"), vec!["tok3n"]);
        assert!(url_secrets("http://localhost:8000/v1").is_empty());
        assert!(url_secrets("not a url").is_empty());
        assert_eq!(masked_url("https://user:host@host/v1?key=abc&x=1"), "https://user:***@host/v1?key=***&x=***");
        assert_eq!(masked_url("http://localhost:8000/v1"), "http://localhost:8000/v1");
    }
}
