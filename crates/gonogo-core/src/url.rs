//! Percent-encoding of one URL path segment or query value (RFC 3986 unreserved characters
//! stay as they are), for trigger names in URLs.

pub fn encode_component(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn encodes_all_but_unreserved() {
        assert_eq!(super::encode_component("Data issue #1/é~"), "Data%20issue%20%231%2F%C3%A9~");
    }
}
