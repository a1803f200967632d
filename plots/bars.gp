# plots/bars.gp - clustered horizontal bars per transport: left, the time to move 1 MiB in
# throughput mode (1 MiB / bytes_per_s at size 1 MiB); right, the round-trip p50 at 64 B in
# latency mode. Readers that poll come first, then readers that sleep, each sorted fastest on
# top (the labels say which: [polls], [sleeps]), so the two ways of waiting are never ranked
# together. One bar per placement in each cluster; a loan's bar (read in place: a hand-off,
# not a copy) is hatched and named; floors and the harness (null) are grey reference bars.
#
# Parameters (gnuplot -e): data (bars CSV from scripts/plot: panel,rank,series,label,role,color,
# placement,pidx,value,loan,modes; value in ms for panel thr, ns for panel lat; the report's
# medians; modes > 1 where the rounds fell into that many modes, which the label says),
# PL (placements, in pidx order), nthr nlat (bars per panel, 0 = no panel), tloans lloans (loans
# in each),
# thr_labels lat_labels (series by rank), lat_size (label of the RTT size),
# tmin tmax (ms), lmin lmax (ns), and fmt out fp for common.gp.
# Columns read: panel rank series role placement pidx value loan modes.
W = 1500
H = 880
load plotdir . '/common.gp'

npl = words(PL)
bh = 0.8 / npl
# placement colours (transports) and their grey (floors, harness)
pc(i) = i == 1 ? 0x1f77b4 : i == 2 ? 0xff7f0e : i == 3 ? 0x2ca02c : 0x9467bd
pg(i) = i == 1 ? 0x606060 : i == 2 ? 0xa8a8a8 : i == 3 ? 0x808080 : 0xc8c8c8
barcol(i) = strcol("role") eq "mechanism" ? pc(i) : pg(i)
isloan(x) = column("loan") > 0
by(d) = column("rank") + (column("pidx") - (npl + 1) / 2.0) * bh
is(p) = strcol("panel") eq p
nsfmt(v) = v >= 1e6 ? sprintf('%.3g ms', v / 1e6) : v >= 1e3 ? sprintf('%.3g µs', v / 1e3) : sprintf('%.3g ns', v)
msfmt(v) = sprintf('%.3g ms', v)
# A bar whose rounds fell into modes is their median, which no round may have: said on it.
modes(d) = column("modes") > 1 ? sprintf(' (rounds in %d modes)', column("modes")) : ''
# A label with its spaces back ('_' stands for them in the list of words).
subst(w) = strstrt(w, '_') ? substr(w, 1, strstrt(w, '_') - 1) . ' ' . subst(substr(w, strstrt(w, '_') + 1, strlen(w))) : w
YT = ''

set style fill solid 0.9 border rgb '#303030'
set logscale x
set grid noytics
set ytics scale 0 font ',10'
set key at screen 0.5, 0.945 center top horizontal maxrows 1 Left reverse samplen 2 width 1 noopaque nobox

set multiplot title sprintf('Per transport: readers that poll, then readers that sleep, each sorted by %s (fastest on top)', word(PL, 1)) font ',14'
set bmargin at screen 0.12
set tmargin at screen 0.85

left = 0.11
if (nthr > 0 && nlat > 0) { split = 1 } else { split = 0 }

if (nthr > 0) {
	YT = ''
	do for [i = 1:words(thr_labels)] { YT = YT . sprintf('%s"%s" %d', i > 1 ? ', ' : '', subst(word(thr_labels, i)), i) }
	eval 'set ytics (' . YT . ')'
	set yrange [nthr + 0.6:0.4]
	set xrange [tmin / 2.5:tmax * 6]
	set format x '%g'
	set xtics auto
	set xlabel 'time to move 1 MiB (ms, log), throughput mode: 1 MiB / bytes_per_s at 1 MiB messages'
	set title 'Time to move 1 MiB (lower is better)'
	set lmargin at screen left
	set rmargin at screen (split ? 0.47 : 0.97)
	PLOT = 'data using (is("thr") && !isloan(0) ? column("value") : NaN):(by(0)):(tmin / 2.5):(column("value")):' . \
		'(by(0) - bh / 2):(by(0) + bh / 2):(barcol(column("pidx"))) with boxxyerror lc rgb variable notitle, ' . \
		'data using (is("thr") ? column("value") * 1.1 : NaN):(by(0)):(msfmt(column("value")) . modes(0)) ' . \
		'with labels left font ",8" textcolor rgb "#303030" notitle, ' . \
		'for [i = 1:npl] keyentry with boxes fs solid 0.9 lc rgb pc(i) title word(PL, i), ' . \
		'keyentry with boxes fs solid 0.9 lc rgb pg(1) title "floor / null (grey)"'
	if (tloans > 0) {
		PLOT = PLOT . ', data using (is("thr") && isloan(0) ? column("value") : NaN):(by(0)):(tmin / 2.5):' . \
			'(column("value")):(by(0) - bh / 2):(by(0) + bh / 2):(barcol(column("pidx"))) ' . \
			'with boxxyerror fs pattern 4 border lc rgb variable notitle, ' . \
			'keyentry with boxes fs pattern 4 lc rgb "#303030" title "a loan (read in place)"'
	}
	eval 'plot ' . PLOT
	unset key
	unset label 900
}
if (nlat > 0) {
	YT = ''
	do for [i = 1:words(lat_labels)] { YT = YT . sprintf('%s"%s" %d', i > 1 ? ', ' : '', subst(word(lat_labels, i)), i) }
	eval 'set ytics (' . YT . ')'
	set yrange [nlat + 0.6:0.4]
	set xrange [lmin / 2.5:lmax * 6]
	eval 'set xtics (' . NSTICS . ')'
	set xlabel sprintf('round-trip latency p50 at %s (log), latency mode', lat_size)
	set title sprintf('%s round trip, p50 (lower is better)', lat_size)
	set lmargin at screen (split ? 0.61 : left)
	set rmargin at screen 0.97
	PLOT = 'data using (is("lat") && !isloan(0) ? column("value") : NaN):(by(0)):(lmin / 2.5):(column("value")):' . \
		'(by(0) - bh / 2):(by(0) + bh / 2):(barcol(column("pidx"))) with boxxyerror lc rgb variable notitle, ' . \
		'data using (is("lat") ? column("value") * 1.1 : NaN):(by(0)):(nsfmt(column("value")) . modes(0)) ' . \
		'with labels left font ",8" textcolor rgb "#303030" notitle, ' . \
		'for [i = 1:npl] keyentry with boxes fs solid 0.9 lc rgb pc(i) title word(PL, i), ' . \
		'keyentry with boxes fs solid 0.9 lc rgb pg(1) title "floor / null (grey)"'
	if (lloans > 0) {
		PLOT = PLOT . ', data using (is("lat") && isloan(0) ? column("value") : NaN):(by(0)):(lmin / 2.5):' . \
			'(column("value")):(by(0) - bh / 2):(by(0) + bh / 2):(barcol(column("pidx"))) ' . \
			'with boxxyerror fs pattern 4 border lc rgb variable notitle, ' . \
			'keyentry with boxes fs pattern 4 lc rgb "#303030" title "a loan (read in place)"'
	}
	eval 'plot ' . PLOT
}
unset multiplot
