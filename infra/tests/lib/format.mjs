// A model of what `terraform fmt` (hclwrite) does to whitespace, so that style drift is caught
// without the Terraform binary: indentation is two spaces per line that opened brackets; the
// `=` of consecutive single-line attributes are aligned one space after the longest name; a
// line that opens a multi-line value, a blank line, a comment line or a closing line ends
// such a run. Trailing comments of consecutive lines are aligned the same way.

/** Scans one line outside strings: bracket balance, first lone `=`, start of a comment. */
function scan(line) {
  let net = 0;
  let assign = -1;
  let netAfterAssign = 0;
  let comment = -1;
  let i = 0;
  const stack = []; // "s" inside a string, "t" inside ${ } of a string
  while (i < line.length) {
    const c = line[i];
    const top = stack[stack.length - 1];
    if (top === "s") {
      if (c === "\\") i++;
      else if (c === '"') stack.pop();
      else if (line.startsWith("${", i) || line.startsWith("%{", i)) {
        stack.push("t");
        net++;
        if (assign >= 0) netAfterAssign++;
        i++;
      }
      i++;
      continue;
    }
    if (c === '"') stack.push("s");
    else if (c === "#" || line.startsWith("//", i)) {
      comment = i;
      break;
    } else if ("([{".includes(c)) {
      net++;
      if (assign >= 0) netAfterAssign++;
    } else if (")]}".includes(c)) {
      net--;
      if (assign >= 0) netAfterAssign--;
      if (c === "}" && top === "t") stack.pop();
    } else if (c === "=" && assign < 0 && !"=!<>".includes(line[i - 1]) && !"=>".includes(line[i + 1] ?? "")) {
      if (line.slice(0, i).trim() !== "") assign = i;
    }
    i++;
  }
  return { net, assign, netAfterAssign, comment };
}

/** Returns a list of "line: problem" strings for one file's text. */
export function checkFormat(text) {
  const problems = [];
  if (text.includes("\r")) problems.push("0: CRLF line endings");
  if (!text.endsWith("\n") || text.endsWith("\n\n")) problems.push("end: file must end with exactly one newline");
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();

  const indents = [];
  const cells = [];
  for (const [n, raw] of lines.entries()) {
    const no = n + 1;
    if (raw.includes("\t")) problems.push(`${no}: tab`);
    if (/\s$/.test(raw)) problems.push(`${no}: trailing whitespace`);
    if (/^\s*<</.test(raw) || /<<-?[A-Z]+\s*$/.test(raw)) problems.push(`${no}: heredoc (not modelled; use jsonencode or a policy document)`);
    const body = raw.trimStart();
    if (body === "") {
      cells.push(null);
      continue;
    }
    const s = scan(body);
    let depth;
    if (s.net > 0) {
      depth = indents.length;
      indents.push(s.net);
    } else if (s.net < 0) {
      let closed = -s.net;
      while (closed > 0 && indents.length > 0) {
        const last = indents[indents.length - 1];
        if (closed >= last) {
          closed -= last;
          indents.pop();
        } else {
          indents[indents.length - 1] -= closed;
          closed = 0;
        }
      }
      depth = indents.length;
    } else {
      depth = indents.length;
    }
    const indent = raw.length - body.length;
    if (indent !== 2 * depth) problems.push(`${no}: indented ${indent} spaces, terraform fmt uses ${2 * depth}`);
    const isAssign = s.assign >= 0 && s.netAfterAssign === 0;
    cells.push({
      no,
      lead: isAssign ? raw.slice(0, indent + s.assign).trimEnd().length : -1,
      eq: isAssign ? indent + s.assign : -1,
      code: s.comment >= 0 && s.comment > 0 ? raw.slice(0, indent + s.comment).trimEnd().length : -1,
      commentAt: s.comment > 0 ? indent + s.comment : -1,
    });
  }

  // Runs of consecutive lines with an assignment: `=` one column after the longest lead.
  const runs = (has) => {
    const out = [];
    let run = [];
    for (const cell of [...cells, null]) {
      if (cell && has(cell)) run.push(cell);
      else {
        if (run.length) out.push(run);
        run = [];
      }
    }
    return out;
  };
  for (const run of runs((c) => c.eq >= 0)) {
    const col = Math.max(...run.map((c) => c.lead)) + 1;
    for (const c of run) if (c.eq !== col) problems.push(`${c.no}: "=" at column ${c.eq + 1}, terraform fmt puts it at ${col + 1}`);
  }
  for (const run of runs((c) => c.commentAt >= 0)) {
    const col = Math.max(...run.map((c) => c.code)) + 1;
    for (const c of run) if (c.commentAt !== col) problems.push(`${c.no}: comment at column ${c.commentAt + 1}, terraform fmt puts it at ${col + 1}`);
  }
  return problems;
}
