-- wrk: POST /v1/posts/p{0..POSTS-1}/likes {"userId":"u{0..999999}"}, uniformly random (POSTS: env, default 10000)
local posts = tonumber(os.getenv("POSTS") or "10000")
math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
request = function()
  return wrk.format("POST", "/v1/posts/p" .. math.random(0, posts - 1) .. "/likes",
    {["Content-Type"] = "application/json"}, '{"userId":"u' .. math.random(0, 999999) .. '"}')
end
