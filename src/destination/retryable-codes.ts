/**
 * ClickHouse error codes that mean "try again later", not "your statement is wrong": the server was busy,
 * short of memory, restarting, cut off from its replicas or from Keeper, or it says so itself (473's
 * message reads "Client should retry"). A batch or commit that fails with one of these is retried by
 * Temporal; every other code fails the resource with the server's message.
 *
 * Left out on purpose: NOT_ENOUGH_SPACE (243) and the access errors, which wait for an operator, and
 * POCO_EXCEPTION (1000), which also wraps permanent failures. Codes and names as in ClickHouse's
 * src/Common/ErrorCodes.cpp (18.16 through 26.x; a code a server does not have is simply never seen).
 */
export const RETRYABLE_CLICKHOUSE_CODES: ReadonlyMap<number, string> = new Map([
  [3, 'UNEXPECTED_END_OF_FILE'], // connection cut mid-response
  [32, 'ATTEMPT_TO_READ_AFTER_EOF'],
  [95, 'CANNOT_READ_FROM_SOCKET'],
  [96, 'CANNOT_WRITE_TO_SOCKET'],
  [159, 'TIMEOUT_EXCEEDED'],
  [160, 'TOO_SLOW'],
  [173, 'CANNOT_ALLOCATE_MEMORY'],
  [202, 'TOO_MANY_SIMULTANEOUS_QUERIES'],
  [203, 'NO_FREE_CONNECTION'],
  [209, 'SOCKET_TIMEOUT'],
  [210, 'NETWORK_ERROR'],
  [225, 'NO_ZOOKEEPER'],
  [236, 'ABORTED'],
  [241, 'MEMORY_LIMIT_EXCEEDED'],
  [242, 'TABLE_IS_READ_ONLY'], // a replica lost its Keeper session
  [252, 'TOO_MANY_PARTS'],
  [254, 'NO_ACTIVE_REPLICAS'],
  [265, 'NO_AVAILABLE_REPLICA'],
  [279, 'ALL_CONNECTION_TRIES_FAILED'],
  [285, 'TOO_FEW_LIVE_REPLICAS'],
  [286, 'UNSATISFIED_QUORUM_FOR_PREVIOUS_WRITE'],
  [289, 'REPLICA_IS_NOT_IN_QUORUM'],
  [319, 'UNKNOWN_STATUS_OF_INSERT'], // pages are idempotent: inserting again is safe
  [373, 'SESSION_IS_LOCKED'],
  [379, 'UNKNOWN_STATUS_OF_DISTRIBUTED_DDL_TASK'], // sluice's DDL is idempotent (IF NOT EXISTS, probes first)
  [384, 'PART_IS_TEMPORARILY_LOCKED'],
  [394, 'QUERY_WAS_CANCELLED'], // a server shutting down cancels running queries
  [415, 'ALL_REPLICAS_LOST'],
  [416, 'REPLICA_STATUS_CHANGED'],
  [425, 'SYSTEM_ERROR'],
  [439, 'CANNOT_SCHEDULE_TASK'], // the server's thread pool is full
  [473, 'DEADLOCK_AVOIDED'], // a table lock wait timed out: "Client should retry"
  [517, 'CANNOT_ASSIGN_ALTER'], // another ALTER holds the table's metadata in Keeper
  [529, 'NOT_A_LEADER'],
  [692, 'TOO_MANY_MUTATIONS'], // waits for earlier mutations to finish
  [733, 'TABLE_IS_BEING_RESTARTED'],
  [738, 'PART_IS_LOCKED'],
  [745, 'SERVER_OVERLOADED'],
  [749, 'TCP_CONNECTION_LIMIT_REACHED'],
  [762, 'HTTP_CONNECTION_LIMIT_REACHED'],
  [777, 'MEMORY_RESERVATION_KILLED'],
  [778, 'MEMORY_RESERVATION_FAILED'],
  [999, 'KEEPER_EXCEPTION'],
]);

export function isRetryableClickHouseCode(code: number): boolean {
  return RETRYABLE_CLICKHOUSE_CODES.has(code);
}
