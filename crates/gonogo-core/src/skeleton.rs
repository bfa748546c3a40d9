pub fn skeleton(_s: &str, _v: &str) -> String {
    String::new()
}
