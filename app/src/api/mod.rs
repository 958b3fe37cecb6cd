//! Server functions, one file per concern. Each is thin: read the context, authorize, call one use
//! case, map the result. They are plain form posts without JavaScript, fetches with it.
pub mod auth;
pub mod comments;
pub mod incidents;
pub mod kept;
pub mod privacy;
pub mod requests;
pub mod staff;
pub mod upload;
pub mod wall;
