# plots/matrix.gp - the placement matrix of one transport as a heatmap: the sender's CPU up the
# side, the receiver's across, each cell's colour its round-trip p50 (log scale), its text the
# p50 and what the two CPUs share (= one CPU, T SMT siblings, L2/L3 a shared cache, N one NUMA
# node, R two nodes). Cells a sampled matrix did not run stay blank.
#
# Parameters (gnuplot -e): data (matrix CSV from ipcbench report --figure-data: series,bytes,sender,
# receiver,p50_ns,class; medians of repeats), T (the transport), cpus (the CPUs in its cells,
# space-separated, ascending), size_label, vmin vmax (ns), and fmt out fp for common.gp.
# Columns read: series sender receiver p50 class.
n = words(cpus)
W = n > 16 ? 1400 : 900
H = n > 16 ? 1300 : 820
load plotdir . '/common.gp'

# A CPU's place on its axis: cells are packed, whatever the CPU numbers are.
idx(c) = sum [i = 1:n] (word(cpus, i) + 0 == c ? i : 0)
is(t) = strcol("series") eq t
nsfmt(v) = v >= 1e6 ? sprintf('%.3g ms', v / 1e6) : v >= 1e3 ? sprintf('%.3g µs', v / 1e3) : sprintf('%.3g ns', v)

XT = ''
do for [i = 1:n] { XT = XT . sprintf('%s"%s" %d', i > 1 ? ', ' : '', word(cpus, i), i) }
eval 'set xtics (' . XT . ')'
eval 'set ytics (' . XT . ')'
set xrange [0.5:n + 0.5]
set yrange [n + 0.5:0.5]
set size ratio -1
set grid noxtics noytics
set border 15
set tics scale 0
set xlabel "receiver's CPU"
set ylabel "sender's CPU"
set x2label sprintf('%s: round-trip p50 at %s on every pair of CPUs (the report''s medians)', T, size_label) font ',14'
set logscale cb
lo = vmin > 0 ? vmin : 1
hi = vmax > lo ? vmax : lo * 10
set cbrange [lo:hi]
set cblabel 'round-trip p50 (ns, log)'
set palette defined (0 '#2166ac', 1 '#67a9cf', 2 '#f7f7f7', 3 '#ef8a62', 4 '#b2182b')
set key off
set bmargin 5
fs = n > 16 ? ',7' : ',11'

plot data using (is(T) ? idx(column("receiver")) : NaN):(idx(column("sender"))):(0.5):(0.5):(column("p50")) \
	with boxxyerror fs solid 1.0 noborder lc palette, \
     data using (is(T) ? idx(column("receiver")) : NaN):(idx(column("sender"))):(sprintf("%s\n%s", nsfmt(column("p50")), strcol("class"))) \
	with labels font fs textcolor rgb '#202020'
