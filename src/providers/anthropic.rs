//! anthropic wire codec. (STUB: being written.)

use crate::config::ModelConfig;
use crate::error::CascadeError;
use crate::http::HttpRequest;
use crate::types::{ChatRequest, Completion, StreamDelta};

pub fn build_request(_model: &ModelConfig, _req: &ChatRequest, _stream: bool) -> Result<HttpRequest, CascadeError> {
    Err(CascadeError::config("not yet"))
}

pub fn parse_response(_body: &[u8]) -> Result<Completion, CascadeError> {
    Err(CascadeError::bad_response("not yet"))
}

#[derive(Default)]
pub struct StreamParser {}

impl super::StreamDecoder for StreamParser {
    fn feed(&mut self, _bytes: &[u8]) -> Result<Vec<StreamDelta>, CascadeError> {
        Ok(vec![])
    }
    fn finish(&mut self) -> Result<Vec<StreamDelta>, CascadeError> {
        Ok(vec![])
    }
}
