-- wrk -s bench/wrk/book.lua: POST /api/events/$EVENT/bookings for one seat as a user (TOKEN).
wrk.method = "POST"
wrk.path = "/api/events/" .. os.getenv("EVENT") .. "/bookings"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
wrk.body = '{"seats":1}'
