"""Offline fusion harness: every variant measured for the fixed hybrid recipe, on SciFact and Cranfield at once.

Inputs: the shared data sets, and per set the encoded texts that FusionDump (quiver-embeddings, test scope) writes:
  ./mvnw -B -ntp -o test -pl quiver-core,quiver-embeddings -Dtest=FusionDump -Dsurefire.failIfNoSpecifiedTests=false \
    -Dquiver.dump=/work/shared/datasets/scifact-minilm-384-cosine:/tmp/qdump/scifact   (and cranfield-text:/tmp/qdump/cranfield)
Then: python3 fusion_variants.py [ship|d256] > variants-ship.txt
  ship: SciFact's dense side is its shipped vectors (cut at 128 word pieces); d256: MiniLM cut at 256 (as the server
  embeds). Cranfield's dense side is always MiniLM at 256 (it ships no vectors).
Scores: BM25 = sparse dot product with Qdrant's idf modifier; dense = cosine; brute force over the whole corpus.
Metrics: pytrec_eval's ndcg_cut_10 (linear gain, ideal over all judged) and recall@100; Cranfield gain 5 - grade.
Every list is a top-N (N = 200 unless named); "rescored" = the union of the lists, every candidate scored by every
signal (what a nested prefetch whose query is the signal does); z = z-score against the list's own top-N, zu =
z-score over the union (= Qdrant's DBSF over re-scored lists), minmax likewise against the top-N.
"""
import sys
import numpy as np
import scipy.sparse as sp

DS = '/work/shared/datasets'
DUMP = '/tmp/qdump'


def fvecs(p):
    a = np.fromfile(p, dtype=np.int32)
    d = a[0]
    return a.reshape(-1, d + 1)[:, 1:].view(np.float32).copy()


def sparse_rows(p):
    rows = []
    for line in open(p):
        line = line.strip()
        r = {}
        if line:
            for t in line.split(' '):
                i, v = t.split(':')
                r[int(i)] = float(v)
        rows.append(r)
    return rows


class Set:
    def __init__(self, name, folder, gain, dense_kind):
        d = f'{DUMP}/{name}'
        self.name = name
        self.doc_ids = [x.strip() for x in open(d + '/doc_ids.txt')]
        qids = [x.strip() for x in open(d + '/query_ids.txt')]
        qrels = {}
        for line in open(f'{DS}/{folder}/qrels/test.tsv').readlines()[1:]:
            q, c, g = line.split('\t')
            g = gain(int(g))
            if g > 0:
                qrels.setdefault(q, {})[c] = g
        self.qids = list(qrels)
        qidx = {q: i for i, q in enumerate(qids)}
        self.qrows = [qidx[q] for q in self.qids]
        self.qrels = [qrels[q] for q in self.qids]
        if dense_kind == 'ship' and name == 'scifact':
            sq = fvecs(f'{DS}/{folder}/query.fvecs')
            sids = {q.strip(): i for i, q in enumerate(open(f'{DS}/{folder}/query_ids.txt'))}
            self.dv = fvecs(f'{DS}/{folder}/base.fvecs')
            self.qv = sq[[sids[q] for q in self.qids]]
        else:
            self.dv = fvecs(d + '/docs_dense256.fvecs')
            self.qv = fvecs(d + '/queries_dense256.fvecs')[self.qrows]
        self.dense = self.qv @ self.dv.T
        self.bm = {}
        self.mats = {}
        for enc in ['qdrant', 'quiver']:
            D = sparse_rows(f'{d}/docs_{enc}.txt')
            Q = [sparse_rows(f'{d}/queries_{enc}.txt')[i] for i in self.qrows]
            vocab = {}
            for r in D:
                for k in r:
                    vocab.setdefault(k, len(vocab))
            rows, cols, vals = [], [], []
            for i, r in enumerate(D):
                for k, v in r.items():
                    rows.append(i)
                    cols.append(vocab[k])
                    vals.append(v)
            M = sp.csr_matrix((vals, (rows, cols)), shape=(len(D), len(vocab)))
            n = np.asarray((M > 0).sum(0)).ravel()
            idf = np.log(1 + (len(D) - n + 0.5) / (n + 0.5))
            QM = np.zeros((len(Q), len(vocab)))
            for i, r in enumerate(Q):
                for k, v in r.items():
                    if k in vocab:
                        QM[i, vocab[k]] = v
            self.mats[enc] = (M, idf, QM)
            self.bm[enc] = np.asarray((M @ (QM * idf).T).T)


def evaluate(s, ranked_of):
    nd = rc = 0.0
    for qi in range(len(s.qids)):
        ranked = ranked_of(qi)
        rel = s.qrels[qi]
        g = [rel.get(s.doc_ids[d], 0) for d in ranked[:10]]
        dcg = sum(x / np.log2(i + 2) for i, x in enumerate(g))
        ideal = sorted(rel.values(), reverse=True)[:10]
        nd += dcg / sum(x / np.log2(i + 2) for i, x in enumerate(ideal))
        rc += sum(1 for d in ranked[:100] if s.doc_ids[d] in rel) / len(rel)
    return nd / len(s.qids), rc / len(s.qids)


def topn(x, n):
    idx = np.argpartition(-x, n)[:n]
    return idx[np.argsort(-x[idx], kind='stable')]


def rrf(sigs, k, n=200):
    sc = {}
    for x in sigs:
        for r, d in enumerate(topn(x, n)):
            sc[d] = sc.get(d, 0) + 1 / (k + r + 1)
    return sorted(sc, key=lambda d: -sc[d])


def dbsf_lists(sigs, n=200):
    """Qdrant's DBSF over the plain lists: a point missing from a list gets nothing from it."""
    sc = {}
    for x in sigs:
        idx = topn(x, n)
        v = x[idx]
        lo = v.mean() - 3 * v.std(ddof=1)
        hi = v.mean() + 3 * v.std(ddof=1)
        for d, y in zip(idx, (v - lo) / (hi - lo)):
            sc[d] = sc.get(d, 0) + y
    return sorted(sc, key=lambda d: -sc[d])


def rescored(sigs, n=200, weights=None, kind='zu'):
    tops = [topn(x, n) for x in sigs]
    cand = np.unique(np.concatenate(tops))
    tot = np.zeros(len(cand))
    for i, (x, t) in enumerate(zip(sigs, tops)):
        w = 1 if weights is None else weights[i]
        ref = x[t].astype(np.float64)
        v = x[cand].astype(np.float64)
        if kind == 'z':
            tot += w * (v - ref.mean()) / (ref.std() + 1e-12)
        elif kind == 'zu':
            tot += w * (v - v.mean()) / (v.std() + 1e-12)
        else:
            tot += w * (v - ref.min()) / (ref.max() - ref.min() + 1e-12)
    return cand[np.argsort(-tot, kind='stable')]


def rm3(s, q, top, fb_docs, fb_terms, lam):
    M, idf, QM = s.mats['quiver']
    sub = M[top[:fb_docs]].toarray()
    p = (sub / (sub.sum(1, keepdims=True) + 1e-12)).mean(0) * idf
    t = np.argsort(-p)[:fb_terms]
    exp = np.zeros_like(p)
    exp[t] = p[t] / p[t].sum()
    qv = lam * QM[q] / (QM[q].sum() + 1e-12) + (1 - lam) * exp
    return np.asarray(M @ (qv * idf)).ravel()


def rocchio(s, q, top, k, beta):
    v = s.qv[q] + beta * s.dv[top[:k]].mean(0)
    return s.dv @ (v / np.linalg.norm(v))


def variants():
    B = lambda s, q: s.bm['quiver'][q]
    Bq = lambda s, q: s.bm['qdrant'][q]
    Dn = lambda s, q: s.dense[q]
    first = lambda s, q: rescored([B(s, q), Dn(s, q)])
    yield 'bm25 qdrant/bm25', lambda s, q: topn(Bq(s, q), 100)
    yield 'bm25 quiver/bm25', lambda s, q: topn(B(s, q), 100)
    yield 'dense', lambda s, q: topn(Dn(s, q), 100)
    for name, b in [('qdrant/bm25', Bq), ('quiver/bm25', B)]:
        for k in [2, 60]:
            yield f'rrf k={k} dense + {name}', lambda s, q, b=b, k=k: rrf([Dn(s, q), b(s, q)], k)
        yield f'dbsf (lists, not rescored) dense + {name}', lambda s, q, b=b: dbsf_lists([b(s, q), Dn(s, q)])
        for kind in ['minmax', 'z']:
            for a in [0.4, 0.5, 0.6]:
                yield (f'{kind} rescored {a} {name} + {1 - a:.1f} dense',
                       lambda s, q, b=b, a=a, kind=kind: rescored([b(s, q), Dn(s, q)], 200, [a, 1 - a], kind))
    for n in [100, 200, 500]:
        yield f'zu (dbsf rescored) N={n} quiver/bm25 + dense', lambda s, q, n=n: rescored([B(s, q), Dn(s, q)], n)
    yield 'zu quiver/bm25 + qdrant/bm25 + dense', lambda s, q: rescored([B(s, q), Bq(s, q), Dn(s, q)])
    for fb, ft in [(3, 10), (5, 10), (10, 10), (10, 30)]:
        for lam in [0.5, 0.7, 0.9]:
            yield (f'rm3 (fb {fb} docs, {ft} terms, lambda {lam}) on the first pass, then zu with dense',
                   lambda s, q, fb=fb, ft=ft, lam=lam: rescored([rm3(s, q, first(s, q), fb, ft, lam), Dn(s, q)]))
    for k in [3, 5, 10]:
        for beta in [0.5, 1.0, 2.0, 3.0]:
            yield (f'dense rocchio (k {k}, beta {beta}) replaces dense',
                   lambda s, q, k=k, beta=beta: rescored([B(s, q), rocchio(s, q, first(s, q), k, beta)]))
            yield (f'bm25 + dense/2 + rocchio/2 (k {k}, beta {beta})',
                   lambda s, q, k=k, beta=beta: rescored(
                       [B(s, q), Dn(s, q), rocchio(s, q, first(s, q), k, beta)], 200, [1, .5, .5]))
            yield (f'bm25 + dense + rocchio, equal (k {k}, beta {beta})',
                   lambda s, q, k=k, beta=beta: rescored([B(s, q), Dn(s, q), rocchio(s, q, first(s, q), k, beta)]))
    for k in [3, 5]:
        yield (f'bm25 + dense/2 + centroid of top {k}/2', lambda s, q, k=k: rescored(
            [B(s, q), Dn(s, q), rocchio(s, q, first(s, q), k, 1e6)], 200, [1, .5, .5]))
        yield (f'**recipe**: bm25 + dense + centroid of top {k}, equal' if k == 3 else
               f'bm25 + dense + centroid of top {k}, equal', lambda s, q, k=k: rescored(
                   [B(s, q), Dn(s, q), rocchio(s, q, first(s, q), k, 1e6)]))


if __name__ == '__main__':
    kind = sys.argv[1] if len(sys.argv) > 1 else 'ship'
    sets = [Set('scifact', 'scifact-minilm-384-cosine', lambda g: g, kind),
            Set('cranfield', 'cranfield-text', lambda g: 5 - g, kind)]
    print(f'dense side of SciFact: {kind}')
    print('| variant | SciFact nDCG@10 | SciFact R@100 | Cranfield nDCG@10 | Cranfield R@100 | mean nDCG@10 |')
    print('| --- | ---: | ---: | ---: | ---: | ---: |')
    for name, fn in variants():
        r = [evaluate(s, lambda q: fn(s, q)) for s in sets]
        print(f'| {name} | {r[0][0]:.4f} | {r[0][1]:.4f} | {r[1][0]:.4f} | {r[1][1]:.4f} | '
              f'{(r[0][0] + r[1][0]) / 2:.4f} |', flush=True)
