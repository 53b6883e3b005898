// Realistic drafts for the scoreDraft benchmark: what a mid-size model writes
// for a moderately technical question. DRAFT_500 extends DRAFT_300.

export const QUERY =
  'How does HTTPS keep my data private while it travels over the network, and what does the website certificate actually prove?';

export const DRAFT_300 = `HTTPS is ordinary HTTP carried inside a TLS connection, and TLS gives you three things: confidentiality, integrity and authentication of the server.

When your browser connects, it starts a TLS handshake. The two sides agree on a protocol version and a cipher suite, then run a key exchange, usually elliptic-curve Diffie-Hellman (ECDHE). Each side contributes a fresh random value, and from these they derive the same shared secret without ever sending it across the network. Someone recording the traffic sees the public halves of the exchange but cannot compute the secret from them. Because the keys are ephemeral, recording today and stealing the server's long-term key next year still does not let an attacker decrypt old sessions; this is called forward secrecy.

From the shared secret both sides derive symmetric session keys. Everything after the handshake, including the URL path, headers, cookies and the page itself, is encrypted with an authenticated cipher such as AES-GCM or ChaCha20-Poly1305. Authenticated encryption means any change to the data in transit is detected and the connection is dropped, so an attacker can neither read nor silently modify what you send.

The certificate answers a different question: are you talking to the real site or to an impostor in the middle? During the handshake the server sends a certificate that binds its domain name to a public key, signed by a certificate authority your browser already trusts. The server then proves it holds the matching private key by signing the handshake transcript. Your browser checks the signature chain up to a trusted root, that the name matches the site you asked for, and that the certificate has not expired.

What the certificate does not prove is that the site is honest or safe to use. It only shows that whoever runs it controls the domain.`;

export const DRAFT_500 = `${DRAFT_300}

A few practical points follow from this. First, HTTPS protects data in transit only. Once your message reaches the server it is decrypted, so the site itself, and anyone who breaks into it, can read what you sent. End-to-end encryption, as used by some messaging apps, is a separate guarantee.

Second, some metadata still leaks. An observer on the network can see the IP address you connect to, roughly how much data flows and when, and often the domain name, because the Server Name Indication field in the first handshake message is usually sent in clear. DNS lookups also reveal the names you visit unless you use DNS over HTTPS or DNS over TLS.

Third, the trust model depends on certificate authorities behaving well. Any trusted authority can issue a certificate for any domain, so a mistaken or compromised authority could enable an impersonation attack. Certificate Transparency reduces this risk: authorities must publish every certificate they issue in public, append-only logs, browsers refuse certificates that are missing from them.

Finally, the padlock icon says nothing about a site's intentions. Phishing pages routinely use valid certificates from free authorities, since controlling a look-alike domain is easy. Check the domain name first.`;
