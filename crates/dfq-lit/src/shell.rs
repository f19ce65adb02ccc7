//! Parsing a RUN line: a small, sh-like command language, interpreted by
//! the runner itself so tests behave the same on every machine.
//!
//! Supported: words with `'single'` and `"double"` quotes and backslash
//! escapes, pipelines (`|`), `&&` lists, `not` prefixes, and the
//! redirections `< file`, `> file`, `>> file`, `2> file` and `2>&1`.
//! Anything else that would mean something to a shell (`;`, `||`, `&`,
//! parentheses) is refused instead of being passed on as text.

/// One stage of a pipeline.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Command {
    /// How many `not` prefixes: each inverts whether the stage succeeds.
    pub negations: usize,
    pub argv: Vec<String>,
    pub stdin: Option<String>,
    pub stdout: Option<OutputFile>,
    pub stderr: Stderr,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct OutputFile {
    pub path: String,
    pub append: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) enum Stderr {
    /// Kept apart, for the failure report.
    #[default]
    Capture,
    /// `2>&1`: into wherever stdout goes.
    ToStdout,
    File(OutputFile),
}

/// Stages whose stdout feeds the next one's stdin.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Pipeline {
    pub stages: Vec<Command>,
}

#[derive(Debug, PartialEq, Eq)]
enum Token {
    Word(String),
    Pipe,
    And,
    Input,
    Output { append: bool },
    ErrorOutput,
    ErrorToOutput,
}

/// Parses a RUN line into pipelines that must all succeed, in order.
pub(crate) fn parse(line: &str) -> Result<Vec<Pipeline>, String> {
    let mut pipelines = Vec::new();
    let mut stages = Vec::new();
    let mut words = Vec::new();
    let mut command = Command::default();
    let mut tokens = tokenize(line)?.into_iter();
    while let Some(token) = tokens.next() {
        match token {
            Token::Word(word) => words.push(word),
            Token::Pipe | Token::And => {
                stages.push(finish(
                    std::mem::take(&mut command),
                    std::mem::take(&mut words),
                )?);
                if token == Token::And {
                    pipelines.push(Pipeline {
                        stages: std::mem::take(&mut stages),
                    });
                }
            }
            Token::Input => command.stdin = Some(target(&mut tokens, "<")?),
            Token::Output { append } => {
                let path = target(&mut tokens, if append { ">>" } else { ">" })?;
                command.stdout = Some(OutputFile { path, append });
            }
            Token::ErrorOutput => {
                let path = target(&mut tokens, "2>")?;
                command.stderr = Stderr::File(OutputFile {
                    path,
                    append: false,
                });
            }
            Token::ErrorToOutput => command.stderr = Stderr::ToStdout,
        }
    }
    stages.push(finish(command, words)?);
    pipelines.push(Pipeline { stages });
    Ok(pipelines)
}

/// The file name after a redirection operator.
fn target(tokens: &mut impl Iterator<Item = Token>, operator: &str) -> Result<String, String> {
    match tokens.next() {
        Some(Token::Word(path)) => Ok(path),
        _ => Err(format!("expected a file name after '{operator}'")),
    }
}

/// Completes a stage, peeling `not` prefixes off its words.
fn finish(mut command: Command, words: Vec<String>) -> Result<Command, String> {
    let negations = words.iter().take_while(|word| *word == "not").count();
    let argv = words[negations..].to_vec();
    if negations > 0 && argv.first().is_some_and(|word| word.starts_with("--")) {
        return Err(format!("'not {}' is not supported", argv[0]));
    }
    if argv.is_empty() {
        return Err("missing command".to_string());
    }
    command.negations = negations;
    command.argv = argv;
    Ok(command)
}

fn tokenize(line: &str) -> Result<Vec<Token>, String> {
    let mut tokens = Vec::new();
    let mut rest = line.trim_start();
    while !rest.is_empty() {
        let (token, len) = match operator(rest)? {
            Some(operator) => operator,
            None => word(rest)?,
        };
        tokens.push(token);
        rest = rest[len..].trim_start();
    }
    Ok(tokens)
}

/// The operator at the start of `text`, with its length.
fn operator(text: &str) -> Result<Option<(Token, usize)>, String> {
    const OPERATORS: [(&str, Option<Token>); 6] = [
        ("2>&1", Some(Token::ErrorToOutput)),
        ("2>", Some(Token::ErrorOutput)),
        ("&&", Some(Token::And)),
        (">>", Some(Token::Output { append: true })),
        ("||", None),
        ("&>", None),
    ];
    for (spelling, token) in OPERATORS {
        if text.starts_with(spelling) {
            let token = token.ok_or_else(|| unsupported(spelling))?;
            return Ok(Some((token, spelling.len())));
        }
    }
    let token = match text.as_bytes()[0] {
        b'|' => Token::Pipe,
        b'<' => Token::Input,
        b'>' => Token::Output { append: false },
        b'&' | b';' | b'(' | b')' => return Err(unsupported(&text[..1])),
        _ => return Ok(None),
    };
    Ok(Some((token, 1)))
}

fn unsupported(operator: &str) -> String {
    format!("unsupported shell syntax '{operator}'")
}

/// A word at the start of `text`: quoted and unquoted parts glued together,
/// up to unquoted whitespace or an operator character.
fn word(text: &str) -> Result<(Token, usize), String> {
    let mut value = String::new();
    let mut chars = text.char_indices().peekable();
    while let Some(&(at, c)) = chars.peek() {
        if c.is_whitespace() || "|&;<>()".contains(c) {
            return Ok((Token::Word(value), at));
        }
        chars.next();
        match c {
            '\'' => loop {
                match chars.next() {
                    Some((_, '\'')) => break,
                    Some((_, c)) => value.push(c),
                    None => return Err("unterminated single quote".to_string()),
                }
            },
            '"' => loop {
                match chars.next() {
                    Some((_, '"')) => break,
                    // Inside double quotes a backslash only escapes these.
                    Some((_, '\\')) => match chars.next_if(|&(_, c)| "\"\\$`".contains(c)) {
                        Some((_, escaped)) => value.push(escaped),
                        None => value.push('\\'),
                    },
                    Some((_, c)) => value.push(c),
                    None => return Err("unterminated double quote".to_string()),
                }
            },
            '\\' => match chars.next() {
                Some((_, escaped)) => value.push(escaped),
                None => return Err("backslash at the end of the line".to_string()),
            },
            c => value.push(c),
        }
    }
    Ok((Token::Word(value), text.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stages(line: &str) -> Vec<Command> {
        let mut pipelines = parse(line).unwrap();
        assert_eq!(pipelines.len(), 1, "{line}");
        pipelines.remove(0).stages
    }

    fn argv(line: &str) -> Vec<Vec<String>> {
        stages(line).into_iter().map(|stage| stage.argv).collect()
    }

    fn words(list: &[&str]) -> Vec<String> {
        list.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn splits_words_on_whitespace() {
        assert_eq!(
            argv("  dfq-opt   a.mlir\t--pass "),
            vec![words(&["dfq-opt", "a.mlir", "--pass"])]
        );
    }

    #[test]
    fn handles_quotes_and_escapes() {
        assert_eq!(
            argv(r#"echo 'a  b' "c \"d\" \n $x" e\ f 'g'"h"i '' "#),
            vec![words(&["echo", "a  b", r#"c "d" \n $x"#, "e f", "ghi", ""])]
        );
        assert_eq!(
            argv(r"echo 'a|b' x\|y"),
            vec![words(&["echo", "a|b", "x|y"])]
        );
    }

    #[test]
    fn splits_pipelines() {
        assert_eq!(
            argv("tool %s|FileCheck %s | count 3"),
            vec![
                words(&["tool", "%s"]),
                words(&["FileCheck", "%s"]),
                words(&["count", "3"])
            ]
        );
    }

    #[test]
    fn splits_and_lists() {
        let pipelines = parse("a > f && cat f | b").unwrap();
        let shape: Vec<usize> = pipelines.iter().map(|p| p.stages.len()).collect();
        assert_eq!(shape, vec![1, 2]);
    }

    #[test]
    fn counts_not_prefixes() {
        let parsed = stages("not not tool x | not FileCheck");
        assert_eq!(
            (parsed[0].negations, parsed[0].argv.clone()),
            (2, words(&["tool", "x"]))
        );
        assert_eq!(parsed[1].negations, 1);
        assert_eq!(stages("tool not")[0].negations, 0);
    }

    #[test]
    fn parses_redirections() {
        let parsed = stages("tool <in.txt > out 2>&1 | next 2> err >> log");
        assert_eq!(parsed[0].stdin.as_deref(), Some("in.txt"));
        assert_eq!(
            parsed[0].stdout,
            Some(OutputFile {
                path: "out".into(),
                append: false
            })
        );
        assert_eq!(parsed[0].stderr, Stderr::ToStdout);
        assert_eq!(
            parsed[1].stdout,
            Some(OutputFile {
                path: "log".into(),
                append: true
            })
        );
        assert_eq!(
            parsed[1].stderr,
            Stderr::File(OutputFile {
                path: "err".into(),
                append: false
            })
        );
        assert_eq!(parsed[1].argv, words(&["next"]));
    }

    #[test]
    fn a_quoted_operator_is_a_word() {
        assert_eq!(
            argv("echo '2>&1' \"<\""),
            vec![words(&["echo", "2>&1", "<"])]
        );
        assert_eq!(argv("tool a2>b")[0], words(&["tool", "a2"]));
    }

    #[test]
    fn rejects_what_it_cannot_run() {
        let cases = [
            ("a || b", "unsupported shell syntax '||'"),
            ("a ; b", "unsupported shell syntax ';'"),
            ("a & b", "unsupported shell syntax '&'"),
            ("a &> f", "unsupported shell syntax '&>'"),
            ("(a)", "unsupported shell syntax '('"),
            ("a | | b", "missing command"),
            ("a |", "missing command"),
            ("", "missing command"),
            ("not", "missing command"),
            ("a >", "expected a file name after '>'"),
            ("a < | b", "expected a file name after '<'"),
            ("echo 'a", "unterminated single quote"),
            ("echo \"a", "unterminated double quote"),
            ("echo a\\", "backslash at the end of the line"),
            ("not --crash tool", "'not --crash' is not supported"),
        ];
        for (line, expected) in cases {
            assert_eq!(parse(line).unwrap_err(), expected, "{line}");
        }
    }
}
