//! Which lines of a source hold code, as opposed to blank lines and comments.

/// For each line of `text`, whether it holds code (not blank, not only a comment).
pub fn code_lines(text: &str) -> Vec<bool> {
    let mut in_block_comment = false;
    text.lines().map(|line| classify(line.trim(), &mut in_block_comment)).collect()
}

/// Whether a trimmed line holds code, tracking whether a `/* */` comment is open.
fn classify(trimmed: &str, in_block_comment: &mut bool) -> bool {
    let starts_comment = *in_block_comment || trimmed.starts_with("/*");
    if starts_comment {
        *in_block_comment = !trimmed.contains("*/");
    }
    !starts_comment && !trimmed.is_empty() && !trimmed.starts_with("//")
}

/// How many code lines lie strictly between two 1-based lines.
pub fn count_between(code: &[bool], open_line: usize, close_line: usize) -> usize {
    let inside = open_line..close_line.saturating_sub(1);
    inside.filter(|index| code.get(*index).copied().unwrap_or(false)).count()
}
