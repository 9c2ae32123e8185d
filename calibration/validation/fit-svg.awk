# calibration/validation/fit-svg.awk -- the fit plot of docs/validation.md, an SVG: for every
# target of targets.csv, the model's value over replications as a ratio to the target (log
# scale): the 5th-95th percentile of histories as a bar, the mean as a dot, the tolerance as
# a shaded band around 1. Usage: awk -F, -f fit-svg.awk targets.csv validation.csv > fit.svg
function x(r) { if (r < 0.05) r = 0.05; if (r > 20) r = 20; return left + (log(r) - log(0.05)) / (log(20) - log(0.05)) * width }
FNR == 1 { next }
NR == FNR { n++; key[n] = $1; target[$1] = $2; l = $3; gsub(/&/, "\\&amp;", l); gsub(/</, "\\&lt;", l); gsub(/>/, "\\&gt;", l); label[$1] = l; tol[$1] = $4; next }
{ mean[$1] = $3; p05[$1] = $5; p95[$1] = $6 }
END {
    left = 330; width = 520; row = 22; top = 40
    h = top + n * row + 40
    printf "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">\n", left + width + 30, h
    printf "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
    printf "<text x=\"10\" y=\"20\" font-size=\"14\" font-weight=\"bold\">Model / target (log scale): mean (dot), 5th-95th percentile of replications (bar), tolerance (band)</text>\n"
    for (t = 0.1; t <= 10.01; t *= 10) {
        printf "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ccc\"/>\n", x(t), top - 5, x(t), top + n * row
        printf "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" fill=\"#555\">%g</text>\n", x(t), top + n * row + 15, t
    }
    for (t = 0.5; t <= 2.01; t *= 2) if (t != 1)
        printf "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" fill=\"#555\">%g</text>\n", x(t), top + n * row + 15, t
    printf "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#333\"/>\n", x(1), top - 5, x(1), top + n * row
    for (i = 1; i <= n; i++) {
        k = key[i]; y = top + (i - 1) * row + row / 2
        printf "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n", left - 8, y + 4, label[k]
        if (tol[k] > 0)
            printf "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" fill=\"#d9ecd9\"/>\n", x(1 - tol[k]), y - 8, x(1 + tol[k]) - x(1 - tol[k]), 16
        if (!(k in mean) || target[k] == 0) continue
        lo = p05[k] / target[k]; hi = p95[k] / target[k]; m = mean[k] / target[k]
        ok = (tol[k] > 0) ? (m >= 1 - tol[k] && m <= 1 + tol[k]) : (m > 1)
        c = ok ? "#1b7837" : "#b2182b"
        printf "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"3\"/>\n", x(lo), y, x(hi), y, c
        printf "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4.5\" fill=\"%s\"><title>%s: model %g, target %g</title></circle>\n", x(m), y, c, label[k], mean[k], target[k]
    }
    printf "<text x=\"10\" y=\"%d\" fill=\"#555\">green: mean within tolerance; red: outside. Ratios beyond 0.05 and 20 are drawn at the edge.</text>\n", h - 10
    print "</svg>"
}
