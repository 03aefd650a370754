//! The replica of the Mijn PostNL portal: the embedded stage for the demo, the tests and QA.
