-- wrk -s bench/wrk/create-event.lua: POST /api/events as a partner (TOKEN in the environment).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
wrk.body = '{"title":"Load test","description":"wrk","venue":"Hall 1","startsAt":"2030-01-01T19:00:00Z",'
        .. '"endsAt":"2030-01-01T22:00:00Z","capacity":100,"category":"bench"}'
