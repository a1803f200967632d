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
