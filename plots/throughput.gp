# plots/throughput.gp - throughput (bytes/s) against payload size, one line per transport, in
# a panel per reader class (readers that poll, that sleep, and where there are any, whose rounds
# did both; each point in its own row's class), with the copy ceiling of the placement:
# the cross-core copy (floor-xcopy) where the sides ran on two CPUs, memcpy (floor-memcpy)
# where on one. A loan's stream is a hand-off, not a copy of the bytes: dashed, and named so.
#
# Parameters (gnuplot -e): data (summary CSV: the report's medians), P (placement), SP CP LP LCP
# SS CS LS LCS and SU CU LU LCU (the panels' series and loans, with their linetypes), refs (the
# reference series present), xmin xmax (sizes, bytes), ymin ymax (bytes/s), and fmt out fp for
# common.gp.
# Columns read: series place what bytes rate class.
# The classes that have series; a figure is drawn only where one has.
HP = words(SP) + words(LP) > 0
HS = words(SS) + words(LS) > 0
HU = words(SU) + words(LU) > 0
NP = HP + HS + HU > 0 ? HP + HS + HU : 1
W = NP == 1 ? 1300 : NP == 2 ? 1700 : 2500
H = 900
NOTE = (HP ? '' : '; no reader polls here') . (HS ? '' : '; no reader sleeps here')
load plotdir . '/common.gp'

is(s) = strcol("series") eq s && strcol("place") eq P && strcol("what") eq "throughput"
has(r) = strstrt(' ' . refs . ' ', ' ' . r . ' ') > 0
name(s) = s . ' (loan: read in place)'

set logscale xy
set xrange [padlo(xmin, 1.6):padhi(xmax, 1.6)]
set yrange [padlo(ymin, 2.0):padhi(ymax, 2.0)]
eval 'set xtics (' . SIZETICS . ')'
eval 'set ytics (' . RATETICS . ')'
set xlabel 'payload size (bytes, log)'
set ylabel 'throughput (bytes/s, log; 1 MB = 10^6 B)'

# One panel's plot: its series' points of its class K.
panel(S, C, L, LC, K) = (words(value(S)) > 0 ? 'for [i = 1:words(' . S . ')] data using (column("bytes")):' . \
	'(is(word(' . S . ', i)) && inclass("' . K . '") ? column("rate") : NaN) with linespoints lt (word(' . C . ', i) + 0) ' . \
	'title word(' . S . ', i)' : 'NaN notitle') . (words(value(L)) > 0 ? ', for [i = 1:words(' . L . ')] data ' . \
	'using (column("bytes")):(is(word(' . L . ', i)) && inclass("' . K . '") ? column("rate") : NaN) with linespoints ' . \
	'lt (word(' . LC . ', i) + 0) dt 2 title name(word(' . L . ', i))' : '')
CEIL = (has('floor-xcopy') ? ', data using (column("bytes")):(is("floor-xcopy") ? column("rate") : NaN) ' . \
	'with linespoints ls 105 title "ceiling: cross-core copy"' : '') . \
	(has('floor-memcpy') ? ', data using (column("bytes")):(is("floor-memcpy") ? column("rate") : NaN) ' . \
	'with linespoints ls 104 title "ceiling: memcpy"' : '')

set multiplot title sprintf('Throughput against payload size, %s (a one-way stream, timed at the receiver)%s', P, NOTE) font ',15'
set bmargin at screen 0.12
set tmargin at screen 0.89
set key spacing 1.05 samplen 2.5 font ',9' box lc rgb '#c0c0c0' opaque Left reverse

# The panels that have series, side by side: a class with none takes no room (the title says so).
k = 0
if (words(SP) + words(LP) > 0) {
	set lmargin at screen plm(k, NP)
	set rmargin at screen prm(k, NP)
	set key at screen pkey(k, NP), 0.89 left top
	set title sprintf('%s (%d)', classname('polls'), words(SP) + words(LP))
	eval 'plot ' . panel('SP', 'CP', 'LP', 'LCP', 'polls') . CEIL
	unset label 900
	set ylabel ''
	k = k + 1
}
if (words(SS) + words(LS) > 0) {
	set lmargin at screen plm(k, NP)
	set rmargin at screen prm(k, NP)
	set key at screen pkey(k, NP), 0.89 left top
	set title sprintf('%s (%d)', classname('sleeps'), words(SS) + words(LS))
	eval 'plot ' . panel('SS', 'CS', 'LS', 'LCS', 'sleeps') . CEIL
	unset label 900
	set ylabel ''
	k = k + 1
}
if (words(SU) + words(LU) > 0) {
	set lmargin at screen plm(k, NP)
	set rmargin at screen prm(k, NP)
	set key at screen pkey(k, NP), 0.89 left top
	set title sprintf('%s (%d)', classname('unclear'), words(SU) + words(LU))
	eval 'plot ' . panel('SU', 'CU', 'LU', 'LCU', 'unclear') . CEIL
	unset label 900
	set ylabel ''
	k = k + 1
}
unset multiplot
