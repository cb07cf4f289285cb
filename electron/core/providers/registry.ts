// Every provider Spendbar can poll, by id. Adding a provider = one module + one line here.
import type { ProviderId } from '../../../shared/domain.ts';
import type { ProviderAdapter, ProviderDescriptor } from './types.ts';
import { newapiAdapter } from './newapi.ts';
import { openrouterAdapter } from './openrouter.ts';
import { deepseekAdapter } from './deepseek.ts';
import { surfercloudAdapter } from './surfercloud.ts';
import { openaiAdapter } from './openai.ts';
import { anthropicAdapter } from './anthropic.ts';
import { moonshotAdapter } from './moonshot.ts';
import { siliconflowAdapter } from './siliconflow.ts';
import { customAdapter } from './custom.ts';
import { xaiAdapter } from './xai.ts';
import { litellmAdapter } from './litellm.ts';

const ADAPTERS: Record<ProviderId, ProviderAdapter> = {
  newapi: newapiAdapter,
  openrouter: openrouterAdapter,
  deepseek: deepseekAdapter,
  surfercloud: surfercloudAdapter,
  openai: openaiAdapter,
  anthropic: anthropicAdapter,
  moonshot: moonshotAdapter,
  siliconflow: siliconflowAdapter,
  custom: customAdapter,
  xai: xaiAdapter,
  litellm: litellmAdapter,
};

export function getAdapter(id: string): ProviderAdapter | undefined {
  return Object.hasOwn(ADAPTERS, id) ? ADAPTERS[id as ProviderId] : undefined;
}

export function getDescriptor(id: string): ProviderDescriptor | undefined {
  return getAdapter(id)?.descriptor;
}

export function listDescriptors(): ProviderDescriptor[] {
  return Object.values(ADAPTERS).map((a) => a.descriptor);
}

export const PROVIDER_IDS = Object.keys(ADAPTERS) as ProviderId[];
