// Ready-made settings for `custom` endpoints users ask for. A preset fills in whatever the account leaves empty;
// anything the account sets wins.

export interface CustomPreset {
  description: string;
  options: Record<string, string | string[]>;
  /** Monthly token allocation per tier, for endpoints that report use but not the limit (option `tier`). */
  tiers?: Record<string, number>;
}

export const CUSTOM_PRESETS: Record<string, CustomPreset> = {
  // One-API forks that serve OpenAI's old credit-grants shape at their own path: amounts are dollars.
  'one-api-credit-grants': {
    description: 'One-API-style reseller: GET /v1/dashboard/billing/credit_grants (dollars granted, used, available)',
    options: {
      method: 'GET',
      path: '/v1/dashboard/billing/credit_grants',
      headers: ['Authorization: Bearer {apiKey}'],
      currency: 'USD',
      balance: '/total_available',
      spentTotal: '/total_used',
      quotaLimit: '/total_granted',
      quotaUsed: '/total_used',
      errorWhen: 'error.message',
    },
  },
  // assisters.dev's announced usage endpoint: tokens used this month against the plan's allocation.
  assisters: {
    description: "assisters.dev: GET /v1/usage, this month's tokens against the plan's allocation (Free 100K, Developer 5M, Startup 25M)",
    options: {
      method: 'GET',
      path: '/v1/usage',
      headers: ['Authorization: Bearer {apiKey}'],
      quotaUsed: 'tokens_used || usage.tokens_used || usage.total_tokens || total_tokens',
      quotaUnit: 'TOKENS',
      quotaResets: 'monthly',
      tierFrom: 'tier || plan',
      errorWhen: 'error.message || error',
    },
    tiers: { free: 100_000, developer: 5_000_000, startup: 25_000_000 },
  },
};
