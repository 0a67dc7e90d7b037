-- wrk's request for bin/benchmark http: the same POST the Java clients send. The body size comes from
-- the environment (BODY_BYTES), as wrk passes no arguments to a script's top level.
wrk.method = "POST"
wrk.body = string.rep("x", tonumber(os.getenv("BODY_BYTES") or "512"))
wrk.headers["Content-Type"] = "application/octet-stream"
