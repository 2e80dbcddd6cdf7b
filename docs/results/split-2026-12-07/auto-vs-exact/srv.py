import http.client, json, random, time, sys
port=int(sys.argv[1]); coll=sys.argv[2]
random.seed(1)
qs=[[random.gauss(0,1) for _ in range(384)] for _ in range(300)]
conn=http.client.HTTPConnection("127.0.0.1",port)
def run(exact, endpoint):
    t0=time.perf_counter()
    for q in qs:
        body={"limit":10,"filter":{"must":[{"key":"r","range":{"lt":5}}]},"with_payload":True}
        if endpoint=="query": body["query"]=q
        else: body["vector"]=q
        if exact: body["params"]={"exact":True}
        conn.request("POST",f"/collections/{coll}/points/{endpoint}",json.dumps(body),{"content-type":"application/json"})
        r=conn.getresponse(); d=r.read()
        assert r.status==200, d
    return (time.perf_counter()-t0)/len(qs)*1e6
for rnd in range(6):
    for ep in ("search","query"):
        a=run(False,ep); e=run(True,ep)
        if rnd>=2: print(f"round {rnd} {ep}: AUTO {a:.0f} us  EXACT {e:.0f} us  ratio AUTO/EXACT rate {e/a:.2f}")
