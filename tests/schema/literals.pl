#!/usr/bin/perl
# literals.pl FILE... - every C string literal of the files, one per line, as
#   FILE:LINE:TEXT<tab>THE WHOLE LINE (comments removed)
# Comments and character literals are removed first, so a name in a comment or a '"' does not
# count. Good enough for this project's sources (no literal spans lines, no trigraphs).
use strict;
use warnings;

my $in_comment = 0;
while (my $line = <>) {
	if ($in_comment) {
		if ($line =~ s{^.*?\*/}{}) { $in_comment = 0 } else { next }
	}
	$line =~ s{'(?:[^'\\]|\\.)+'}{}g;
	# Comments, but not a "/*" or "//" inside a literal: take literals and comments in one scan.
	my $out = '';
	while (length $line) {
		if ($line =~ s{^("(?:[^"\\]|\\.)*")}{}) { $out .= $1 }
		elsif ($line =~ s{^/\*.*?\*/}{}) { $out .= ' ' }
		elsif ($line =~ s{^/\*.*}{}s) { $in_comment = 1 }
		elsif ($line =~ s{^//.*}{}s) { }
		else { $line =~ s{^(.)}{}s; $out .= $1 }
	}
	chomp $out;
	while ($out =~ /"((?:[^"\\]|\\.)*)"/g) { print "$ARGV:$.:$1\t$out\n" }
} continue {
	close ARGV if eof;
}
