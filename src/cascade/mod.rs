//! stub
pub struct Engine;
pub struct CascadeResult;
