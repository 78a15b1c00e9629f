// The analytics seed config as a TypeScript module: dlt's dlt.secrets["api_key"] becomes secrets["api_key"].
import { secrets } from '../../src/config';

export default {
  client: {
    base_url: 'http://127.0.0.1:8787',
    auth: { type: 'api_key', name: 'api_key', api_key: secrets['api_key'], location: 'query' },
  },
  resource_defaults: { primary_key: 'id', write_disposition: 'merge' },
  resources: [
    {
      name: 'resource_name',
      endpoint: { path: '/v1/resource', data_selector: 'data', paginator: { type: 'offset', limit: 100 } },
    },
  ],
};
