//! The computations, on flat row-major buffers and plain sizes, knowing nothing
//! of the IR. `ops` reads attributes and types and calls these.

pub(crate) mod broadcast;
pub(crate) mod conv;
pub(crate) mod elementwise;
pub(crate) mod layout;
pub(crate) mod linear;
pub(crate) mod norm;
pub(crate) mod pool;
pub(crate) mod qconv;
pub(crate) mod qelementwise;
pub(crate) mod qpool;
pub(crate) mod window;
