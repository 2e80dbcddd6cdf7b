import sys, collections
rows=collections.defaultdict(list)
for l in open(sys.argv[1]):
    p=l.split()
    if len(p)<13: continue
    rows[p[1]].append([float(x) for x in p[5:13]])
names=["ef20 in","ef20 out","ef50 in","ef50 out","ef150 in","ef150 out","ef300 in","ef300 out"]
for m,v in rows.items():
    print(m, len(v))
    for i,nm in enumerate(names):
        col=sorted(r[i] for r in v)
        print("  %-9s min %.4f p1 %.4f p5 %.4f mean %.4f  <0.95: %d" % (nm, col[0], col[max(0,len(col)//100)], col[len(col)//20], sum(col)/len(col), sum(1 for x in col if x<0.95)))
