//! Pieces every page shares: the Facebook-page-style shell, the brand mark, the Info side box.
pub mod form;
pub mod info_box;
pub mod logo;
pub mod shell;
