/**
 * What a failed call looks like from the caller: its status code for the metrics, how long it took
 * to fail, and the error the caller's client library reports — worded per caller (Go gRPC and mgo
 * for hotel-reservation, Thrift/mongoc/hiredis for social-network, Lua in OpenResty) and per
 * reason (connection refused, DNS failure, a dropped connection timing out, authentication, a
 * wrong service on the port, the callee's own error). The workload writes these into the
 * caller's pod log.
 */
import { goLine, nginxLine, thriftLine } from "../images/app-logs.ts";

export type FailReason =
  | "refused" | "no-such-host" | "timeout" | "bad-address"
  | "wrong-service" | "auth-failed" | "unauthorized" | "tls" | "callee-error";

export type CalleeKind = "go" | "thrift" | "openresty" | "mongo" | "memcached" | "redis";
export type CallerKind = "go" | "thrift" | "openresty";

export type FailContext = {
  caller: string;
  callerKind: CallerKind;
  callee: string;
  calleeKind: CalleeKind;
  host: string;
  /** Where the connection went: the Service's cluster IP when it has one. */
  ip: string;
  port: number;
  callerIp: string;
  /** The request path at the entry, for OpenResty's log. */
  request: string;
  database?: string;
  user?: string;
  /** The callee's own error, for callee-error. */
  inner?: string;
};

/** The status code a caller records for a failed call (5xx: the SLOs count these). */
export function failCode(reason: FailReason): string {
  if (reason === "refused" || reason === "no-such-host" || reason === "bad-address") return "503";
  if (reason === "timeout") return "504";
  return "500";
}

/** Fails fast (refused, DNS, protocol) or after the caller's deadline (dropped packets). */
export const failsSlowly = (reason: FailReason) => reason === "timeout";

const GRPC: Record<string, [string, string]> = {
  search: ["search.Search", "Nearby"], geo: ["geo.Geo", "Nearby"], rate: ["rate.Rate", "GetRates"],
  profile: ["profile.Profile", "GetProfiles"], recommendation: ["recommendation.Recommendation", "GetRecommendations"],
  user: ["user.User", "CheckUser"], reservation: ["reservation.Reservation", "CheckAvailability"],
};
const THRIFT: Record<string, string> = {
  "compose-post-service": "ComposePost", "text-service": "ComposeText", "unique-id-service": "ComposeUniqueId",
  "media-service": "ComposeMedia", "user-service": "ComposeCreatorWithUserId", "post-storage-service": "ReadPosts",
  "user-timeline-service": "ReadUserTimeline", "home-timeline-service": "ReadHomeTimeline", "social-graph-service": "GetFollowers",
  "url-shorten-service": "ComposeUrls", "user-mention-service": "ComposeUserMentions",
};

/** The RPC service and method a service answers, as its generated stubs name them. */
export function rpcNames(service: string, kind: CalleeKind): { rpcService: string; rpcMethod: string } {
  if (kind === "thrift") {
    const m = THRIFT[service] ?? "Call";
    const svc = service.replace(/-service$/, "").split("-").map((w) => w[0].toUpperCase() + w.slice(1)).join("");
    return { rpcService: `${svc}Service`, rpcMethod: m };
  }
  const [svc, method] = GRPC[service] ?? [`${service}.${service[0].toUpperCase()}${service.slice(1)}`, "Call"];
  return { rpcService: svc, rpcMethod: method };
}

const hash = (s: string) => {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) >>> 0;
  return h;
};
const dst = (c: FailContext) => `${c.ip || c.host}:${c.port}`;
const ephemeral = (c: FailContext) => 32768 + (hash(c.caller + c.callee) % 28000);

/** The error string the caller's client library produces. */
export function clientError(c: FailContext, reason: FailReason): string {
  const refusedDial = `dial tcp ${dst(c)}: connect: connection refused`;
  const dnsFail = `dial tcp: lookup ${c.host} on 10.96.0.10:53: no such host`;
  if (c.callerKind === "go") {
    switch (c.calleeKind) {
      case "mongo":
        switch (reason) {
          case "auth-failed": return "server returned error on SASL authentication step: Authentication failed.";
          case "unauthorized": return `(Unauthorized) not authorized on ${c.database} to execute command { find: "${c.database?.replace(/-db$/, "")}", filter: {}, $db: "${c.database}" }`;
          case "timeout": return `read tcp ${c.callerIp}:${ephemeral(c)}->${dst(c)}: i/o timeout`;
          case "tls": case "wrong-service": return "EOF";
          case "no-such-host": case "refused": case "bad-address": return "no reachable servers";
          default: return c.inner ?? "internal error";
        }
      case "memcached":
        if (reason === "timeout") return `memcache: connect timeout to ${dst(c)}`;
        if (reason === "no-such-host") return dnsFail;
        if (reason === "wrong-service") return "memcache: unexpected line in get response: \"-ERR unknown command\"";
        return refusedDial;
      case "redis":
        return reason === "timeout" ? `dial tcp ${dst(c)}: i/o timeout` : reason === "no-such-host" ? dnsFail : refusedDial;
      default: {
        const [svc, method] = GRPC[c.callee] ?? [`${c.callee}.${c.callee}`, "Call"];
        switch (reason) {
          case "refused": return `rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: ${refusedDial}"`;
          case "no-such-host": case "bad-address": return `rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: ${dnsFail}"`;
          case "timeout": return "rpc error: code = DeadlineExceeded desc = context deadline exceeded";
          case "wrong-service": return `rpc error: code = Unimplemented desc = unknown service ${svc}`;
          default: return `rpc error: code = Unknown desc = ${c.inner ?? `${method} failed`}`;
        }
      }
    }
  }
  const where = `<Host: ${c.host} Port: ${c.port}>`;
  switch (c.calleeKind) {
    case "mongo":
      switch (reason) {
        case "auth-failed": return "Authentication failed.";
        case "unauthorized": return `not authorized on ${c.database} to execute command { find: "${c.database}", filter: {} }`;
        case "timeout": return `No suitable servers found: \`serverSelectionTimeoutMS\` expired: [socket timeout calling hello on '${c.host}:${c.port}']`;
        case "tls": return `No suitable servers found: [socket error or timeout calling hello on '${c.host}:${c.port}']`;
        default: return `No suitable servers found (\`serverSelectionTryOnce\` set): [connection refused calling hello on '${c.host}:${c.port}']`;
      }
    case "memcached":
      return reason === "timeout" ? "A TIMEOUT OCCURRED" : reason === "no-such-host" ? "HOSTNAME LOOKUP FAILURE" : "CONNECTION FAILURE";
    case "redis":
      return reason === "timeout" ? "Connection timed out" : reason === "no-such-host" ? "Name or service not known" : "Connection refused";
    default:
      switch (reason) {
        case "refused": return `TSocket::open() connect() ${where}: Connection refused`;
        case "no-such-host": case "bad-address": return `TSocket::open() getaddrinfo() ${where}: Name or service not known`;
        case "timeout": return "THRIFT_EAGAIN (timed out)";
        case "wrong-service": return `TApplicationException: Invalid method name: '${THRIFT[c.callee] ?? "Call"}'`;
        default: return `TApplicationException: ${c.inner ?? "Internal error"}`;
      }
  }
}

/** The line the caller writes to its log for a failed call. */
export function callerLogLine(now: number, c: FailContext, reason: FailReason, seq: number): string {
  const err = clientError(c, reason);
  const line = 60 + (hash(c.callee) % 140);
  if (c.callerKind === "go") {
    if (c.calleeKind === "mongo") return goLine(now, "ERR", `services/${c.caller}/db.go:${line}`, `Failed to query ${c.database ?? "database"}: ${err}`);
    if (c.calleeKind === "memcached") return goLine(now, "ERR", `services/${c.caller}/server.go:${line}`, `Failed to get from memcached: ${err}`);
    const [svc, method] = GRPC[c.callee] ?? [c.callee, "Call"];
    return goLine(now, "ERR", `services/${c.caller}/server.go:${line}`, `${svc.split(".")[0]}.${method} failed: ${err}`);
  }
  if (c.callerKind === "openresty") {
    const fn = c.request.split("/").filter(Boolean).slice(-2).join("_") || "handler";
    const via = c.calleeKind === "mongo" ? `mongo ${c.host}:${c.port}` : `${c.callee}`;
    return nginxLine(now, "error", `*${seq} [lua] ${fn}.lua:${line}: ${fn}(): ${via} failure: ${err}, client: 172.18.0.1, server: localhost, request: "${c.request.startsWith("/wrk2-api/post") || c.request.startsWith("/upload") ? "POST" : "GET"} ${c.request} HTTP/1.1", host: "${c.caller}"`, 7);
  }
  const bin = c.caller.replace(/-service$/, "").split("-").map((w) => w[0].toUpperCase() + w.slice(1)).join("");
  if (c.calleeKind === "mongo") return thriftLine(now, "error", `${bin}Handler.h:${line}:${THRIFT[c.caller] ?? "Handle"}`, `Failed to query MongoDB ${c.database ?? ""}: ${err}`);
  if (c.calleeKind === "memcached") return thriftLine(now, "error", `${bin}Handler.h:${line}:${THRIFT[c.caller] ?? "Handle"}`, `Failed to get from memcached: ${err}`);
  if (c.calleeKind === "redis") return thriftLine(now, "error", `${bin}Handler.h:${line}:${THRIFT[c.caller] ?? "Handle"}`, `Redis error: ${err}`);
  if (reason === "refused" || reason === "no-such-host" || reason === "timeout") return thriftLine(now, "error", "ClientPool.h:114:Pop", `Failed to connect ${c.callee}-client: ${err}`);
  return thriftLine(now, "error", `${bin}Handler.h:${line}:${THRIFT[c.caller] ?? "Handle"}`, `${THRIFT[c.callee] ?? "Call"} failed: ${err}`);
}

/** What the bad release prints when a request hits its bug (the RPC framework recovers it). */
export function panicLines(now: number, kind: CallerKind, service: string, goroutine: number): string[] {
  if (kind === "go") {
    const [svc, method] = GRPC[service] ?? [service, "Handle"];
    const pkg = svc.split(".")[0];
    return [
      goLine(now, "ERR", `services/${pkg}/server.go:131`, `panic serving ${svc}/${method}: runtime error: index out of range [5] with length 5`),
      `panic: runtime error: index out of range [5] with length 5 [recovered]`,
      `goroutine ${goroutine} [running]:`,
      `github.com/harlow/go-micro-services/services/${pkg}.(*Server).${method}(0xc000120000, {0x1a2b3c0, 0xc0003a2000}, 0xc0002f4000)`,
      `\t/go/src/github.com/harlow/go-micro-services/services/${pkg}/server.go:131 +0x3a5`,
    ];
  }
  const bin = service.replace(/-service$/, "").split("-").map((w) => w[0].toUpperCase() + w.slice(1)).join("");
  return [thriftLine(now, "error", `${bin}Handler.h:142:${THRIFT[service] ?? "Handle"}`, "std::out_of_range: vector::_M_range_check: __n (which is 5) >= this->size() (which is 5)")];
}

/** The short error a failing callee hands back up (its caller wraps it). */
export function innerError(kind: CallerKind, reason: "panic" | FailReason, inner: string): string {
  if (reason === "panic") return kind === "go" ? "grpc: panic recovered: runtime error: index out of range [5] with length 5" : "Internal error processing request";
  return inner;
}

/** mongod's line for a refused login. */
export function mongoAuthFailedLine(now: number, user: string, remote: string, conn: number, wrongPassword: boolean): string {
  const error = wrongPassword ? "AuthenticationFailed: SCRAM authentication failed, storedKey mismatch" : `UserNotFound: Could not find user "${user}" for db "admin"`;
  const date = new Date(now).toISOString().replace("Z", "+00:00");
  return `{"t":{"$date":"${date}"},"s":"I",  "c":"ACCESS",   "id":20249,   "ctx":"conn${conn}","msg":"Authentication failed","attr":{"mechanism":"SCRAM-SHA-256","speculative":false,"principalName":${JSON.stringify(user)},"authenticationDatabase":"admin","remote":"${remote}","extraInfo":{},"error":${JSON.stringify(error)}}}`;
}

