import sys, numpy as np, faiss, os
faiss.omp_set_num_threads(1)
def fv(f):
    a=np.fromfile(f,dtype=np.int32); d=a[0]; return a.reshape(-1,d+1)[:,1:].view(np.float32).copy()
for line in open('many/ours.txt'):
    key=line.split()[0]; metric=key.split('-')[1]
    if metric not in ('L2','COSINE'): continue
    b=fv('many/'+key+'/base.fvecs'); q=fv('many/'+key+'/q.fvecs')
    if metric=='COSINE':
        faiss.normalize_L2(b); faiss.normalize_L2(q); mt=faiss.METRIC_INNER_PRODUCT; flat=faiss.IndexFlatIP(b.shape[1])
    else:
        mt=faiss.METRIC_L2; flat=faiss.IndexFlatL2(b.shape[1])
    flat.add(b); _,gt=flat.search(q,10)
    idx=faiss.IndexHNSWFlat(b.shape[1],16,mt); idx.hnsw.efConstruction=100; idx.add(b)
    out=[]
    for ef in (150,300):
        idx.hnsw.efSearch=ef; _,I=idx.search(q,10)
        r=[len(set(I[i])&set(gt[i]))/10 for i in range(len(q))]
        out.append("ef%d %.4f z%d" % (ef, np.mean(r), sum(1 for x in r if x==0)))
    print(line.strip(), "| faiss", " ".join(out))
