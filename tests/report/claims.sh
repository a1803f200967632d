# claims.sh - sourced by the report tests (not a test itself): reading a report's claims.
#
#   verdict REPORT CLAIM   the verdict line of a claim ("C4")
#   lines REPORT CLAIM     the comparison lines ("- ...") under it

verdict() {
	awk -v id="### $2." 'index($0, id) == 1 { f = 1; next } f && /^Verdict:/ { print; exit }' "$1"
}

lines() {
	awk -v id="### $2." 'index($0, id) == 1 { f = 1; next } f && /^### / { exit }
		f && /^- / { print }' "$1"
}

# report_md CSV OUT [ARG...]: `report CSV -o` into a file of its own, then OUT made of the report
# and its appendix (FILE-appendix.md beside it), one after the other, for tests that read the
# claims' sections; the report's exit status.
report_md() {
	"$BIN" report "$1" -o "${2%.md}.main.md" "${@:3}" &&
		cat "${2%.md}.main.md" "${2%.md}.main-appendix.md" >"$2"
}
