-- wrk: GET /v1/posts/p{0..49}/stats, uniformly random (the warm-up run of scripts/bench-http.sh viewed these posts)
math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
request = function()
  return wrk.format("GET", "/v1/posts/p" .. math.random(0, 49) .. "/stats")
end
