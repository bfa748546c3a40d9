//! The JSON Schema of the review file (draft 2020-12), for editors and API clients.
//! It is written by hand beside the decoder; tests hold the two together on the example,
//! the skeleton and files the decoder rejects.

/// The schema, pretty-printed.
pub fn schema_json() -> &'static str {
    include_str!("review.schema.json").trim_end()
}
