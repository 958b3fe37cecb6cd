//! Authentication on the server: password hashing, single-use tokens, and who is logged in.
pub mod device;
pub mod password;
pub mod session;
pub mod token;
