-- expect: tests/errors/crash_target_unknown.lua:4: crash: target: unknown service, host, queue or topic 'jbos' (did you mean 'jobs'?)
local s = service "api" { workers = 1, work = exp(0.1) }
queue "jobs" { }
crash { target = "jbos", mttf = exp(100), mttr = exp(1) }
run { duration = 10 }
