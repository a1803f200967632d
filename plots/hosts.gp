# plots/hosts.gp - the hosts of --hosts for one transport as a heatmap: the sender's host down the
# side, the receiver's across, each cell's colour its round-trip p50 (log scale), its text the
# p50 and p99; the diagonal is each host alone on its loopback. A pair that failed stays blank.
#
# Parameters (gnuplot -e): data (hosts CSV from ipcbench report --figure-data: series,bytes,
# sender,receiver,p50,p99, the hosts by their place in the list; medians of the rounds), T (the
# transport), hosts (their names, space-separated, in that order), size_label, vmin vmax (ns),
# and fmt out fp for common.gp.
n = words(hosts)
W = n > 12 ? 1400 : 900
H = n > 12 ? 1300 : 820
load plotdir . '/common.gp'

is(t) = strcol("series") eq t
tfmt(v) = v >= 1e6 ? sprintf('%.3g ms', v / 1e6) : v >= 1e3 ? sprintf('%.3g µs', v / 1e3) : sprintf('%.3g ns', v)

XT = ''
do for [i = 1:n] { XT = XT . sprintf('%s"%s" %d', i > 1 ? ', ' : '', word(hosts, i), i) }
eval 'set xtics (' . XT . ')'
eval 'set ytics (' . XT . ')'
set xrange [0.5:n + 0.5]
set yrange [n + 0.5:0.5]
set size ratio -1
set grid noxtics noytics
set border 15
set tics scale 0
set xlabel "receiver's host"
set ylabel "sender's host"
set x2label sprintf('%s: round trip at %s between every ordered pair of hosts (p50, and p99 below it)', T, size_label) font ',14'
set logscale cb
lo = vmin > 0 ? vmin : 1
hi = vmax > lo ? vmax : lo * 10
set cbrange [lo:hi]
set cblabel 'round-trip p50 (ns, log)'
set palette defined (0 '#2166ac', 1 '#67a9cf', 2 '#f7f7f7', 3 '#ef8a62', 4 '#b2182b')
set key off
set bmargin 5
fs = n > 12 ? ',7' : ',11'

plot data using (is(T) ? column("receiver") : NaN):(column("sender")):(0.5):(0.5):(column("p50")) \
	with boxxyerror fs solid 1.0 noborder lc palette, \
     data using (is(T) ? column("receiver") : NaN):(column("sender")):(sprintf("%s\np99 %s", tfmt(column("p50")), tfmt(column("p99")))) \
	with labels font fs textcolor rgb '#202020'
