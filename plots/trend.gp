# plots/trend.gp - one series of the results history (ipcbench history --plot, report --html
# --db): the median of each run (or commit) with its 95% interval over the rounds, a dashed line
# before each change point with its words, and the drift within each segment.
#
# Parameters (gnuplot -e; scripts/plot --trends passes them from the index ipcbench writes):
# data (the series, tab-separated with a header: x, median, lo, hi, label, drift; a blank line
# before each change point; drift NaN where there is none), changes (the change points,
# tab-separated with a header: x, words; '' for none), title (the group), xl and yl (the axes),
# drift (its words), driftline (1: the data's drift column draws it; 0: the words alone), and
# fmt out fp for common.gp (fp: the machine).
W = 1100
H = 560
load plotdir . '/common.gp'
set datafile separator tab

set title title font ',12'
set xlabel xl
set ylabel yl
set grid noxtics
set xtics rotate by -45 font ',9'
set format y '%.2s%c'
set key below

# The x range from the points; the y range their intervals take, which a change point's line
# spans, with a margin.
stats data using 1 nooutput
set xrange [0.5:STATS_max + 0.5]
stats data using 3 nooutput
ymin = STATS_min
stats data using 4 nooutput
ymax = STATS_max
pad = ymax > ymin ? (ymax - ymin) * 0.08 : (ymax > 0 ? ymax * 0.05 : 1)
ymin = ymin - pad
ymax = ymax + pad
set yrange [ymin:ymax]

if (!driftline) {
	set label 99 drift at graph 0.01, graph 0.04 left font ',10' tc rgb '#555555'
}
cmd = "plot data using 1:2:3:4:xticlabels(5) with yerrorlines lc rgb '#2166ac' pt 7 ps 0.7 lw 1.5 title 'median of its rounds, and its 95% interval'"
if (driftline) {
	cmd = cmd . ", data using 1:6 with lines dt 3 lw 2 lc rgb '#555555' title drift"
}
if (changes ne '') {
	cmd = cmd . ", changes using 1:(ymin):(0):(ymax - ymin) with vectors nohead dt 2 lw 2 lc rgb '#b2182b' notitle"
	cmd = cmd . ", changes using 1:(ymax):2 with labels right rotate by 90 offset -0.8,-0.4 font ',10' tc rgb '#b2182b' notitle"
}
eval cmd
