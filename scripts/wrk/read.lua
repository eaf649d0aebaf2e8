-- wrk: GET /v1/posts/p{0..READ_POSTS-1}/stats, uniformly random (READ_POSTS: env, default 50; the warm-up run of
-- scripts/bench-http.sh viewed p0..p49)
local posts = tonumber(os.getenv("READ_POSTS") or "50")
math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
request = function()
  return wrk.format("GET", "/v1/posts/p" .. math.random(0, posts - 1) .. "/stats")
end
