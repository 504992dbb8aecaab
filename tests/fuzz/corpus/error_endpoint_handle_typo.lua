-- expect: tests/errors/endpoint_handle_typo.lua:6: service "web" has no endpoint 'pag' (did you mean 'page'?)
-- Indexing a service handle gives its endpoints.
local web = service "web" {
  endpoint "page" { work(0.01) },
}
client "users" { target = web.pag, arrivals = poisson(10) }
run { duration = 60 }
