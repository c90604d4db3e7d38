// quickfix_rtt: the QuickFIX baseline for `make bench-fix`.
//
// What it measures: the FIX 4.4 order round trip as a QuickFIX user sees it,
// NewOrderSingle (35=D) out -> first ExecutionReport (35=8) for that ClOrdID
// back.  It is a QuickFIX SocketInitiator (MemoryStore, no log) with its
// settings built in code.  Orders go one at a time: t1 = CLOCK_MONOTONIC
// before the order is built and sent from the main thread; t2 = the same clock
// first thing in fromApp, on QuickFIX's socket thread, for the report whose
// ClOrdID is the order's.  The main thread waits by spinning on an atomic
// (`--wait spin`, default) or on a condition variable (`--wait block`); t2 is
// taken in the callback either way.  The first W round trips are discarded.
//
// Why: bench-fix runs our engine's NewOrderSingle -> ExecutionReport ack
// round trip and this program against the same acceptor, in the same run, so
// our FIX engine is compared with the one a user would otherwise pick.
//
// Output: one human line, then
//   quickfix_rtt n=N p50=.. p90=.. p99=.. p999=.. max=.. unit=ns
// (nearest-rank percentiles).  Exit 0 ok, 1 bad options, 2 no logon / timeout.

// QuickFIX 1.15.1's headers carry dynamic exception specifications, throw(X),
// which C++17 (our -std=gnu++17) rejects.  Every "throw(" in them is such a
// specification (their throw expressions are written "throw X(...)") and
// "throw()" is only on destructors, noexcept anyway; so while the QuickFIX
// headers are read a macro drops them.  All standard and system headers they
// use are included first, so the macro never reaches those.
#include <bits/stdc++.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>
#define throw(...)
#include <quickfix/Application.h>
#include <quickfix/MessageStore.h>
#include <quickfix/Session.h>
#include <quickfix/SessionSettings.h>
#include <quickfix/SocketInitiator.h>
#include <quickfix/fix44/NewOrderSingle.h>
#undef throw

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

class RttApp : public FIX::Application {
public:
	explicit RttApp(bool block) : block_(block) {}

	std::atomic<uint64_t> expect{0}; // number n of the order in flight ("q<n>")
	std::atomic<uint64_t> acked{0};  // last n whose first report arrived
	std::atomic<int64_t> t2{0};      // when it arrived
	std::atomic<bool> logged_on{false}, lost{false};
	std::mutex mu;
	std::condition_variable cv;

	void onCreate(const FIX::SessionID &) override {}
	void onLogon(const FIX::SessionID &) override
	{
		std::lock_guard<std::mutex> g(mu);
		logged_on.store(true);
		cv.notify_all();
	}
	void onLogout(const FIX::SessionID &) override
	{
		std::lock_guard<std::mutex> g(mu);
		if (logged_on.exchange(false))
			lost.store(true);
		cv.notify_all();
	}
	void toAdmin(FIX::Message &, const FIX::SessionID &) override {}
	void toApp(FIX::Message &, const FIX::SessionID &) override {}
	void fromAdmin(const FIX::Message &, const FIX::SessionID &) override {}
	void fromApp(const FIX::Message &m, const FIX::SessionID &) override
	{
		const int64_t now = mono_ns();
		if (m.getHeader().getField(FIX::FIELD::MsgType) != "8" ||
		    !m.isSetField(FIX::FIELD::ClOrdID))
			return;
		const std::string &id = m.getField(FIX::FIELD::ClOrdID);
		if (id.size() < 2 || id[0] != 'q')
			return;
		char *end = nullptr;
		const uint64_t n = strtoull(id.c_str() + 1, &end, 10);
		// Only the first report for the order in flight counts (this thread
		// is the only writer of acked, so check-then-store is safe).
		if (*end || n != expect.load(std::memory_order_acquire) ||
		    acked.load(std::memory_order_relaxed) == n)
			return;
		t2.store(now, std::memory_order_relaxed);
		if (block_) {
			std::lock_guard<std::mutex> g(mu);
			acked.store(n, std::memory_order_release);
			cv.notify_all();
		} else {
			acked.store(n, std::memory_order_release);
		}
	}

private:
	bool block_;
};

static void usage(const char *argv0)
{
	fprintf(stderr,
		"usage: %s --port P [--host 127.0.0.1] [--sender QFCLIENT] [--target TFENGINE]\n"
		"       [--symbol BTCUSDT] [--side buy|sell] [--price 100.5] [--qty 0.01]\n"
		"       [--tif ioc|gtc] [--count 10000] [--warmup 1000] [--timeout-s 5]\n"
		"       [--heartbeat 30] [--wait spin|block] [--samples-out FILE]\n",
		argv0);
}

static bool to_num(const char *s, double lo, double hi, double *out)
{
	char *end = nullptr;
	errno = 0;
	const double v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= lo && v <= hi))
		return false;
	*out = v;
	return true;
}

int main(int argc, char **argv)
{
	std::string host = "127.0.0.1", sender = "QFCLIENT", target = "TFENGINE";
	std::string symbol = "BTCUSDT", samples_out;
	double port = 0, price = 100.5, qty = 0.01, count = 10000, warmup = 1000;
	double timeout_s = 5, heartbeat = 30;
	bool sell = false, gtc = false, block = false;

	for (int i = 1; i < argc; i += 2) {
		const std::string o = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : nullptr;
		bool ok = true;
		if (!v) ok = false;
		else if (o == "--host") host = v;
		else if (o == "--sender") sender = v;
		else if (o == "--target") target = v;
		else if (o == "--symbol") symbol = v;
		else if (o == "--samples-out") samples_out = v;
		else if (o == "--port") ok = to_num(v, 1, 65535, &port) && port == (int)port;
		else if (o == "--price") ok = to_num(v, 1e-9, 1e12, &price);
		else if (o == "--qty") ok = to_num(v, 1e-9, 1e12, &qty);
		else if (o == "--count") ok = to_num(v, 1, 1e8, &count) && count == (long)count;
		else if (o == "--warmup") ok = to_num(v, 0, 1e8, &warmup) && warmup == (long)warmup;
		else if (o == "--timeout-s") ok = to_num(v, 0.001, 86400, &timeout_s);
		else if (o == "--heartbeat") ok = to_num(v, 1, 3600, &heartbeat) && heartbeat == (int)heartbeat;
		else if (o == "--side") { sell = !strcmp(v, "sell"); ok = sell || !strcmp(v, "buy"); }
		else if (o == "--tif") { gtc = !strcmp(v, "gtc"); ok = gtc || !strcmp(v, "ioc"); }
		else if (o == "--wait") { block = !strcmp(v, "block"); ok = block || !strcmp(v, "spin"); }
		else ok = false;
		if (!ok) {
			fprintf(stderr, "quickfix_rtt: bad option %s%s%s\n", o.c_str(), v ? " " : "", v ? v : "");
			usage(argv[0]);
			return 1;
		}
	}
	if (port == 0) {
		usage(argv[0]);
		return 1;
	}

	FIX::Dictionary d;
	d.setString("ConnectionType", "initiator");
	d.setString("BeginString", "FIX.4.4");
	d.setString("SenderCompID", sender);
	d.setString("TargetCompID", target);
	d.setString("SocketConnectHost", host);
	d.setInt("SocketConnectPort", (int)port);
	d.setInt("HeartBtInt", (int)heartbeat);
	d.setString("StartTime", "00:00:00");
	d.setString("EndTime", "00:00:00");
	d.setString("UseDataDictionary", "N");
	d.setString("ResetOnLogon", "Y");
	d.setInt("ReconnectInterval", 1);
	d.setString("SocketNodelay", "Y"); // read from the defaults only
	const FIX::SessionID sid("FIX.4.4", sender, target);
	const int64_t timeout_ns = (int64_t)(timeout_s * 1e9);
	const size_t n_warm = (size_t)warmup, n_meas = (size_t)count;
	std::vector<int64_t> rtt;
	rtt.reserve(n_meas);
	int rc = 0;

	try {
		FIX::SessionSettings settings;
		settings.set(d);
		settings.set(sid, d);
		RttApp app(block);
		FIX::MemoryStoreFactory store;
		FIX::SocketInitiator initiator(app, store, settings); // no LogFactory: no log
		initiator.start();
		{
			std::unique_lock<std::mutex> l(app.mu);
			app.cv.wait_for(l, std::chrono::nanoseconds(timeout_ns),
					[&] { return app.logged_on.load(); });
		}
		FIX::Session *s = FIX::Session::lookupSession(sid);
		if (!app.logged_on.load() || !s) {
			fprintf(stderr, "quickfix_rtt: no logon from %s:%d (%s -> %s) within %g s\n",
				host.c_str(), (int)port, sender.c_str(), target.c_str(), timeout_s);
			initiator.stop(true);
			return 2;
		}

		for (uint64_t n = 1; n <= n_warm + n_meas; n++) {
			app.expect.store(n, std::memory_order_release);
			const int64_t t1 = mono_ns();
			FIX44::NewOrderSingle nos(FIX::ClOrdID("q" + std::to_string(n)),
						  FIX::Side(sell ? FIX::Side_SELL : FIX::Side_BUY),
						  FIX::TransactTime(3), FIX::OrdType(FIX::OrdType_LIMIT));
			nos.set(FIX::Symbol(symbol));
			nos.set(FIX::OrderQty(qty));
			nos.set(FIX::Price(price));
			nos.set(FIX::TimeInForce(gtc ? FIX::TimeInForce_GOOD_TILL_CANCEL
						     : FIX::TimeInForce_IMMEDIATE_OR_CANCEL));
			s->send(nos);
			const int64_t deadline = t1 + timeout_ns;
			bool got = true;
			if (block) {
				std::unique_lock<std::mutex> l(app.mu);
				got = app.cv.wait_for(l, std::chrono::nanoseconds(timeout_ns), [&] {
					return app.acked.load(std::memory_order_acquire) == n || app.lost.load();
				}) && !app.lost.load();
			} else {
				unsigned spins = 0;
				while (app.acked.load(std::memory_order_acquire) != n) {
					cpu_relax();
					if ((++spins & 255) == 0 && (app.lost.load() || mono_ns() > deadline)) {
						got = false;
						break;
					}
				}
			}
			if (!got) {
				fprintf(stderr, "quickfix_rtt: %s waiting for the ExecutionReport to ClOrdID q%" PRIu64
					" (order %" PRIu64 " of %zu)\n", app.lost.load() ? "session lost" : "timed out",
					n, n, n_warm + n_meas);
				rc = 2;
				break;
			}
			if (n > n_warm)
				rtt.push_back(app.t2.load(std::memory_order_relaxed) - t1);
		}

		if (app.logged_on.load()) { // clean logout, then stop
			s->logout("done");
			std::unique_lock<std::mutex> l(app.mu);
			app.cv.wait_for(l, std::chrono::nanoseconds(timeout_ns),
					[&] { return !app.logged_on.load(); });
		}
		initiator.stop(true);
	} catch (const std::exception &e) {
		fprintf(stderr, "quickfix_rtt: QuickFIX error: %s\n", e.what());
		return 2;
	}
	if (rc)
		return rc;

	if (!samples_out.empty()) {
		FILE *f = fopen(samples_out.c_str(), "w");
		if (!f) {
			fprintf(stderr, "quickfix_rtt: %s: %s\n", samples_out.c_str(), strerror(errno));
			return 1;
		}
		for (int64_t v : rtt)
			fprintf(f, "%" PRId64 "\n", v);
		fclose(f);
	}
	std::vector<int64_t> v = rtt;
	std::sort(v.begin(), v.end());
	auto pct = [&](unsigned permille) { // nearest rank: ceil(p*N)-th smallest
		size_t rank = (permille * v.size() + 999) / 1000;
		return v[rank ? rank - 1 : 0];
	};
	printf("quickfix_rtt: %zu NewOrderSingle -> ExecutionReport round trips to %s:%d "
	       "(QuickFIX initiator, %zu warm-up discarded, wait %s): p50 %.1f us, p99 %.1f us, max %.1f us\n",
	       v.size(), host.c_str(), (int)port, n_warm, block ? "block" : "spin",
	       pct(500) / 1e3, pct(990) / 1e3, v.back() / 1e3);
	printf("quickfix_rtt n=%zu p50=%" PRId64 " p90=%" PRId64 " p99=%" PRId64 " p999=%" PRId64
	       " max=%" PRId64 " unit=ns\n",
	       v.size(), pct(500), pct(900), pct(990), pct(999), v.back());
	return 0;
}
