/**
 * A minimal ClickHouse configuration for the local stack: loopback only, data under .sluice/. Both servers
 * read it (src/dev/clickhouse-servers.ts): Debian's 18.16 as --config-file, chdb-core's 26.9 from its
 * working directory. The root element is <yandex>, which 18.16 requires and current releases still accept.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ClickHouseLayout {
  root: string;
  httpPort: number;
  tcpPort: number;
}

function xmlText(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function writeClickHouseConfig(layout: ClickHouseLayout): string {
  const dirs = ['data', 'tmp', 'user_files', 'format_schemas', 'logs'].map((d) => join(layout.root, d));
  for (const dir of dirs) mkdirSync(dir, { recursive: true });
  const [data, tmp, userFiles, formatSchemas, logs] = dirs.map((d) => xmlText(`${d}/`));
  const config = `<?xml version="1.0"?>
<yandex>
  <logger>
    <level>warning</level>
    <log>${logs}server.log</log>
    <errorlog>${logs}error.log</errorlog>
    <size>50M</size>
    <count>2</count>
  </logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>${layout.httpPort}</http_port>
  <tcp_port>${layout.tcpPort}</tcp_port>
  <path>${data}</path>
  <tmp_path>${tmp}</tmp_path>
  <user_files_path>${userFiles}</user_files_path>
  <format_schema_path>${formatSchemas}</format_schema_path>
  <users_config>users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mark_cache_size>268435456</mark_cache_size>
  <max_concurrent_queries>100</max_concurrent_queries>
</yandex>
`;
  const users = `<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>4000000000</max_memory_usage></default></profiles>
  <users>
    <default>
      <password></password>
      <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </default>
  </users>
  <quotas><default></default></quotas>
</yandex>
`;
  const configPath = join(layout.root, 'config.xml');
  writeFileSync(configPath, config);
  writeFileSync(join(layout.root, 'users.xml'), users);
  return configPath;
}
