# plots/bars.gp - horizontal bars per transport at one placement: left, the time to move 1 MiB
# in throughput mode (1 MiB / bytes_per_s at size 1 MiB); right, the round-trip p50 at 64 B in
# latency mode. Each bar is in its own row's reader class at this placement, size and mode (its
# colour, and its label: [polls], [sleeps], [unclear]): polling readers come first, then
# sleeping ones, then those whose rounds did both, each sorted fastest on top, so the ways of
# waiting are never ranked together. A loan's bar (read in place: a hand-off, not a copy) is
# hatched and named; floors and the harness (null) are grey reference bars.
#
# Parameters (gnuplot -e): data (bars CSV from scripts/plot: panel,rank,series,label,role,color,
# placement,class,value,loan,modes; value in ms for panel thr, ns for panel lat; the report's
# medians; modes > 1 where the rounds fell into that many modes, which the label says),
# P (the placement), nthr nlat (bars per panel, 0 = no panel), tloans lloans (loans in each),
# thr_labels lat_labels (labels by rank), lat_size (label of the RTT size),
# tmin tmax (ms), lmin lmax (ns), and fmt out fp for common.gp.
# Columns read: panel rank placement role class value loan modes.
nmost = nthr > nlat ? nthr : nlat
W = 1500
# A row a bar: tall enough that every row's label and value stand clear of the next one's.
H = nmost * 17 + 260 > 880 ? nmost * 17 + 260 : 880
load plotdir . '/common.gp'

bh = 0.7
# class colours: the reader that polls, that sleeps, whose rounds did both; floors grey
cc(k) = k eq 'polls' ? 0x1f77b4 : k eq 'sleeps' ? 0xff7f0e : k eq 'unclear' ? 0x9467bd : \
	k eq 'floor' ? 0x808080 : 0x8c564b
barcol(d) = cc(strcol("class"))
isloan(x) = column("loan") > 0
by(d) = column("rank")
is(p) = strcol("panel") eq p && strcol("placement") eq P
nsfmt(v) = v >= 1e6 ? sprintf('%.3g ms', v / 1e6) : v >= 1e3 ? sprintf('%.3g µs', v / 1e3) : sprintf('%.3g ns', v)
msfmt(v) = sprintf('%.3g ms', v)
# A bar whose rounds fell into modes is their median, which no round may have: said on it.
modes(d) = column("modes") > 1 ? sprintf(' (rounds in %d modes)', column("modes")) : ''
# A label with its spaces back ('_' stands for them in the list of words).
subst(w) = strstrt(w, '_') ? substr(w, 1, strstrt(w, '_') - 1) . ' ' . subst(substr(w, strstrt(w, '_') + 1, strlen(w))) : w
YT = ''
KEYS = 'keyentry with boxes fs solid 0.9 lc rgb cc("polls") title "reader polls", ' . \
	'keyentry with boxes fs solid 0.9 lc rgb cc("sleeps") title "reader sleeps", ' . \
	'keyentry with boxes fs solid 0.9 lc rgb cc("unclear") title "polled and slept (unclear)", ' . \
	'keyentry with boxes fs solid 0.9 lc rgb cc("floor") title "floor / null"'

set style fill solid 0.9 border rgb '#303030'
set logscale x
set grid noytics
set ytics scale 0 font ',10'
unset key

set multiplot title sprintf('Per transport, %s: each bar in its own reader class, fastest on top', P) font ',14'
set bmargin at screen 110.0 / H
set tmargin at screen 1 - 135.0 / H

left = 0.13
if (nthr > 0 && nlat > 0) { split = 1 } else { split = 0 }

if (nthr > 0) {
	YT = ''
	do for [i = 1:words(thr_labels)] { YT = YT . sprintf('%s"%s" %d', i > 1 ? ', ' : '', subst(word(thr_labels, i)), i) }
	eval 'set ytics (' . YT . ')'
	set yrange [nthr + 0.6:0.4]
	set xrange [tmin / 2.5:tmax * 8]
	set format x '%g'
	set xtics auto
	set xlabel 'time to move 1 MiB (ms, log), throughput mode: 1 MiB / bytes_per_s at 1 MiB messages'
	set title 'Time to move 1 MiB (lower is better)'
	set lmargin at screen left
	set rmargin at screen (split ? 0.47 : 0.97)
	PLOT = 'data using (is("thr") && !isloan(0) ? column("value") : NaN):(by(0)):(tmin / 2.5):(column("value")):' . \
		'(by(0) - bh / 2):(by(0) + bh / 2):(barcol(0)) with boxxyerror lc rgb variable notitle, ' . \
		'data using (is("thr") ? column("value") * 1.1 : NaN):(by(0)):(msfmt(column("value")) . modes(0)) ' . \
		'with labels left font ",8" textcolor rgb "#303030" notitle'
	if (tloans > 0) {
		PLOT = PLOT . ', data using (is("thr") && isloan(0) ? column("value") : NaN):(by(0)):(tmin / 2.5):' . \
			'(column("value")):(by(0) - bh / 2):(by(0) + bh / 2):(barcol(0)) ' . \
			'with boxxyerror fs pattern 4 border lc rgb variable notitle'
	}
	eval 'plot ' . PLOT
	unset label 900
}
if (nlat > 0) {
	YT = ''
	do for [i = 1:words(lat_labels)] { YT = YT . sprintf('%s"%s" %d', i > 1 ? ', ' : '', subst(word(lat_labels, i)), i) }
	eval 'set ytics (' . YT . ')'
	set yrange [nlat + 0.6:0.4]
	set xrange [lmin / 2.5:lmax * 8]
	eval 'set xtics (' . NSTICS . ')'
	set xlabel sprintf('round-trip latency p50 at %s (log), latency mode', lat_size)
	set title sprintf('%s round trip, p50 (lower is better)', lat_size)
	set lmargin at screen (split ? 0.63 : left)
	set rmargin at screen 0.97
	PLOT = 'data using (is("lat") && !isloan(0) ? column("value") : NaN):(by(0)):(lmin / 2.5):(column("value")):' . \
		'(by(0) - bh / 2):(by(0) + bh / 2):(barcol(0)) with boxxyerror lc rgb variable notitle, ' . \
		'data using (is("lat") ? column("value") * 1.1 : NaN):(by(0)):(nsfmt(column("value")) . modes(0)) ' . \
		'with labels left font ",8" textcolor rgb "#303030" notitle'
	if (lloans > 0) {
		PLOT = PLOT . ', data using (is("lat") && isloan(0) ? column("value") : NaN):(by(0)):(lmin / 2.5):' . \
			'(column("value")):(by(0) - bh / 2):(by(0) + bh / 2):(barcol(0)) ' . \
			'with boxxyerror fs pattern 4 border lc rgb variable notitle'
	}
	eval 'plot ' . PLOT
}
# The key, in one row across the whole width (a panel's key would wrap to its own width): an
# empty plot of that width under the title.
unset label 900
unset title
unset xlabel
unset ylabel
unset tics
unset grid
unset logscale
set border 0
set lmargin at screen 0.02
set rmargin at screen 0.98
set tmargin at screen 1 - 40.0 / H
set bmargin at screen 1 - 75.0 / H
set key at screen 0.5, 1 - 45.0 / H center top horizontal maxrows 1 Left reverse samplen 2 width 2 noopaque nobox
eval 'plot [0:1][0:1] NaN notitle, ' . KEYS . (tloans + lloans > 0 ? ', keyentry with boxes fs pattern 4 lc rgb "#303030" title "a loan (read in place)"' : '')
unset multiplot
