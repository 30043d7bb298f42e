-- wrk script for bench/run.py: every request a real 保存草稿 of an entry page, one unit per thread.
--
--   wrk -t4 -c4 … -s bench/wrk_post.lua http://127.0.0.1:8765/ -- var/bench_run
--
-- Thread n reads <dir>/post_<n>.txt, written by bench/run.py from the page as its reporter sees it:
-- the path, the Cookie header (session and CSRF cookie), the CSRF token, then the urlencoded body,
-- in which @V<k>@ stands for a row's version k and @N@ for the number of the save. Each 302 is a
-- save, which moves every row's version on by one, so the next body carries version k + saves:
-- with one connection per thread the requests of a thread follow each other, and no two threads
-- write the same unit, so no save meets an edit conflict (which would answer 200 and save nothing).
expected_status = 302
dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "wrk_summary.lua")

local count_status = response
local path, headers, template
saved = 0

function init(args)
  local file = assert(io.open(args[1] .. "/post_" .. thread_id .. ".txt"))
  path = file:read("*l")
  headers = {
    ["Cookie"] = file:read("*l"),
    ["X-CSRFToken"] = file:read("*l"),
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }
  template = file:read("*a")
  file:close()
end

function request()
  local body = template:gsub("@V(%d+)@", function(version)
    return tostring(tonumber(version) + saved)
  end)
  body = body:gsub("@N@", tostring(saved + 1))
  return wrk.format("POST", path, headers, body)
end

function response(status, response_headers, body)
  count_status(status, response_headers, body)
  if status == 302 then
    saved = saved + 1
  end
end
