# csv.awk - for the tests' awk programs: csv_split(line, f) splits one CSV line into f[1..n]
# (RFC 4180: a quoted field may hold commas and doubled quotes; ipcbench quotes the channel and
# the machine's texts) and returns n; csv_join(f, n) is the line of f[1..n], each field quoted
# where it holds a comma or a quote. mawk has no -e to add a program to a -f file, so callers
# put the two together: awk "$(cat tests/csv.awk)"'...'. The fields are strings: add 0 to
# compare one as a number.
function csv_split(line, f,    n, i, c, q, cur, len) {
	n = 0
	cur = ""
	q = 0
	len = length(line)
	for (i = 1; i <= len; i++) {
		c = substr(line, i, 1)
		if (q) {
			if (c == "\"") {
				if (substr(line, i + 1, 1) == "\"") {
					cur = cur c
					i++
				} else {
					q = 0
				}
			} else {
				cur = cur c
			}
		} else if (c == "\"") {
			q = 1
		} else if (c == ",") {
			f[++n] = cur
			cur = ""
		} else {
			cur = cur c
		}
	}
	f[++n] = cur
	return n
}

function csv_join(f, n,    k, x, line) {
	line = ""
	for (k = 1; k <= n; k++) {
		x = f[k]
		if (x ~ /[",]/) {
			gsub(/"/, "\"\"", x)
			x = "\"" x "\""
		}
		line = line (k > 1 ? "," : "") x
	}
	return line
}
