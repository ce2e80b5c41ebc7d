-- wrk script: each purchase is POST /api/basket (one ticket) then POST /api/checkout of that
-- basket. Connections of a thread share this state, so baskets wait in a queue for the next
-- free connection. Arguments: FIRST_TICKET_TYPE_ID COUNT_OF_TYPES
-- The ticket types must be free (bench/lib.sh create_event): a purchase is a checkout answered
-- 201 with the order "paid". A 201 with any other status (pending_payment: a priced basket,
-- handed over to the payment provider, no tickets) is no purchase and counts as an error, as a
-- 503 payments-not-configured does.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  first_type = tonumber(args[1])
  types = tonumber(args[2])
  pending = {}
  purchases, sold_out, errors, shed, seq = 0, 0, 0, 0, 0
  math.randomseed(os.time() * 1000 + math.floor(os.clock() * 1000000))
end

function request()
  local basket = table.remove(pending)
  if basket then
    seq = seq + 1
    return wrk.format("POST", "/api/checkout",
      { ["Content-Type"] = "application/json", ["Idempotency-Key"] = basket },
      '{"basket_id":"' .. basket .. '","email":"bench@example.com","name":"Bench"}')
  end
  local id = first_type + math.random(0, types - 1)
  return wrk.format("POST", "/api/basket", { ["Content-Type"] = "application/json" },
    '{"items":[{"ticket_type_id":' .. id .. ',"quantity":1}]}')
end

function response(status, headers, body)
  if status == 201 then
    local basket = string.match(body, '^{"id":"([^"]+)"')
    if basket then
      table.insert(pending, basket)
    elseif string.find(body, '^{"order":{"code":"[^"]*","status":"paid"') then
      purchases = purchases + 1
    else
      errors = errors + 1
    end
  elseif status == 409 then
    sold_out = sold_out + 1
  elseif status == 429 then
    shed = shed + 1  -- load shedding (Retry-After), not an error
  else
    errors = errors + 1
  end
end

function done(summary, latency, requests)
  local p, s, e, d = 0, 0, 0, 0
  for _, t in ipairs(threads) do
    p = p + t:get("purchases")
    s = s + t:get("sold_out")
    e = e + t:get("errors")
    d = d + t:get("shed")
  end
  io.write(string.format(
    "RESULT purchases=%d sold_out=%d errors=%d shed=%d p50_ms=%.3f p95_ms=%.3f p99_ms=%.3f\n",
    p, s, e, d, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000))
end
