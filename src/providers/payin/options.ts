import { z } from "zod"
import { storefrontOriginSchema, storefrontReturnUrlSchema } from "../../lib/storefront-redirect"

/**
 * PayIn provider options, validated once at boot by `PayInProviderService.validateOptions`.
 * Every message names the option so a shop owner can fix `medusa-config.ts` without
 * reading this file.
 */

export const PAYIN_TOKENS = ["USDT", "USDC"] as const
export type PayInToken = (typeof PAYIN_TOKENS)[number]

export const PAYIN_ENVIRONMENTS = ["testnet", "mainnet"] as const
export type PayInEnvironment = (typeof PAYIN_ENVIRONMENTS)[number]

/** Chains and the tokens PayIn settles on each, per environment (docs "Networks and tokens"). */
export const PAYIN_NETWORKS: Record<PayInEnvironment, Record<string, readonly PayInToken[]>> = {
  testnet: {
    "ethereum-sepolia": ["USDC"],
    "polygon-amoy": ["USDC"],
    "tron-nile": ["USDT"],
    "solana-devnet": ["USDC"],
  },
  mainnet: {
    "ethereum-mainnet": ["USDT", "USDC"],
    "polygon-mainnet": ["USDT", "USDC"],
    "tron-mainnet": ["USDT"],
    "solana-mainnet": ["USDC"],
  },
}

export const PAYIN_BASE_URLS: Record<PayInEnvironment, string> = {
  testnet: "https://testnet.payin.com/api/v1",
  mainnet: "https://app.payin.com/api/v1",
}

const DEFAULT_PAIR: Record<PayInEnvironment, { token: PayInToken; chainId: string }> = {
  testnet: { token: "USDC", chainId: "ethereum-sepolia" },
  mainnet: { token: "USDC", chainId: "ethereum-mainnet" },
}

const url = (option: string) =>
  z.url({ message: `Option \`${option}\` must be an absolute http(s) URL such as "https://shop.example.com".` })

const rawOptionsSchema = z.object({
  apiKey: z
    .string({ message: "Option `apiKey` is missing: set it to your PayIn API key (it starts with \"pk_\")." })
    .regex(/^pk_\S+$/, { message: "Option `apiKey` must be a PayIn API key starting with \"pk_\"." }),
  environment: z
    .enum(PAYIN_ENVIRONMENTS, { message: "Option `environment` must be \"testnet\" or \"mainnet\"." })
    .default("testnet"),
  baseUrl: url("baseUrl").optional(),
  webhookSecret: z
    .string({
      message:
        "Option `webhookSecret` is missing: copy the webhook secret from PayIn (Settings → Webhooks); without it no PayIn payment can ever be confirmed.",
    })
    .min(8, { message: "Option `webhookSecret` is too short to be a PayIn webhook secret; copy it again from PayIn (Settings → Webhooks)." }),
  defaultToken: z.enum(PAYIN_TOKENS, { message: "Option `defaultToken` must be \"USDT\" or \"USDC\"." }).optional(),
  defaultChainId: z.string({ message: "Option `defaultChainId` must be a PayIn chain id such as \"ethereum-sepolia\"." }).optional(),
  allowedTokens: z
    .array(z.enum(PAYIN_TOKENS), { message: "Option `allowedTokens` must be a list of \"USDT\" and/or \"USDC\"." })
    .min(1, { message: "Option `allowedTokens` must list at least one token." })
    .optional(),
  allowedChains: z
    .array(z.string(), { message: "Option `allowedChains` must be a list of PayIn chain ids." })
    .min(1, { message: "Option `allowedChains` must list at least one chain." })
    .optional(),
  paymentWindowMinutes: z
    .number({ message: "Option `paymentWindowMinutes` must be a whole number of minutes." })
    .int({ message: "Option `paymentWindowMinutes` must be a whole number of minutes." })
    .min(1, { message: "Option `paymentWindowMinutes` must be at least 1." })
    .max(1440, { message: "Option `paymentWindowMinutes` must be at most 1440 (one day)." })
    .optional(),
  graceMinutes: z
    .number({ message: "Option `graceMinutes` must be a whole number of minutes." })
    .int({ message: "Option `graceMinutes` must be a whole number of minutes." })
    .min(0, { message: "Option `graceMinutes` must be 0 or more." })
    .max(1440, { message: "Option `graceMinutes` must be at most 1440 (one day)." })
    .optional(),
  acceptedCurrencies: z
    .array(
      z.string().regex(/^[a-zA-Z]{3}$/, { message: "Option `acceptedCurrencies` must list ISO currency codes such as \"usd\"." })
    )
    .min(1, { message: "Option `acceptedCurrencies` must list at least one currency." })
    .default(["usd"]),
  placeOrderBeforeConfirmation: z
    .boolean({ message: "Option `placeOrderBeforeConfirmation` must be true or false." })
    .default(false),
  recordManualRefunds: z.boolean({ message: "Option `recordManualRefunds` must be true or false." }).default(false),
  backendUrl: url("backendUrl"),
  storefrontReturnUrl: storefrontReturnUrlSchema.optional(),
  allowedStorefrontOrigins: z
    .array(storefrontOriginSchema, {
      message: "Option `allowedStorefrontOrigins` must be a list of origins such as \"https://shop.example.com\".",
    })
    .optional(),
  requestTimeoutMs: z
    .number({ message: "Option `requestTimeoutMs` must be a number of milliseconds." })
    .int({ message: "Option `requestTimeoutMs` must be a whole number of milliseconds." })
    .min(1000, { message: "Option `requestTimeoutMs` must be at least 1000." })
    .max(120000, { message: "Option `requestTimeoutMs` must be at most 120000." })
    .default(30000),
})

export type PayInProviderOptionsInput = z.input<typeof rawOptionsSchema>

/** Options after validation, with defaults applied and the customer-facing choices resolved. */
export type PayInOptions = Omit<z.output<typeof rawOptionsSchema>, "defaultToken" | "defaultChainId" | "allowedTokens" | "allowedChains"> & {
  baseUrl: string
  defaultToken: PayInToken
  defaultChainId: string
  /** Token/chain pairs a customer may pick, all valid on `environment`. */
  offeredPairs: Array<{ token: PayInToken; chainId: string }>
  acceptedCurrencies: string[]
}

export class PayInOptionsError extends Error {
  constructor(message: string) {
    super(message)
    this.name = "PayInOptionsError"
  }
}

/** Parses provider options or throws one message listing every problem, each naming its option. */
export function parsePayInOptions(input: unknown): PayInOptions {
  const result = rawOptionsSchema.safeParse(input ?? {})
  if (!result.success) {
    // Shared schemas (storefront URLs) word their messages without the option's name: add it.
    const messages = [
      ...new Set(
        result.error.issues.map((issue) =>
          issue.message.startsWith("Option") ? issue.message : `Option \`${String(issue.path[0])}\` ${issue.message}.`
        )
      ),
    ]
    throw new PayInOptionsError(`PayIn provider options are invalid: ${messages.join(" ")}`)
  }
  const raw = result.data
  const networks = PAYIN_NETWORKS[raw.environment]
  const knownChains = Object.keys(networks)

  for (const chain of raw.allowedChains ?? []) {
    if (!networks[chain]) {
      throw new PayInOptionsError(
        `Option \`allowedChains\` contains "${chain}", which is not a PayIn ${raw.environment} chain; use one of ${knownChains.join(", ")}.`
      )
    }
  }
  const defaultToken = raw.defaultToken ?? DEFAULT_PAIR[raw.environment].token
  const defaultChainId = raw.defaultChainId ?? DEFAULT_PAIR[raw.environment].chainId
  if (!networks[defaultChainId]) {
    throw new PayInOptionsError(
      `Option \`defaultChainId\` is "${defaultChainId}", which is not a PayIn ${raw.environment} chain; use one of ${knownChains.join(", ")}.`
    )
  }
  if (!networks[defaultChainId].includes(defaultToken)) {
    throw new PayInOptionsError(
      `Options \`defaultToken\` and \`defaultChainId\` do not match: PayIn does not settle ${defaultToken} on ${defaultChainId} (it settles ${networks[defaultChainId].join(", ")}).`
    )
  }

  const tokens = raw.allowedTokens ?? [...PAYIN_TOKENS]
  const chains = raw.allowedChains ?? knownChains
  const offeredPairs = chains.flatMap((chainId) =>
    networks[chainId].filter((token) => tokens.includes(token)).map((token) => ({ token, chainId }))
  )
  if (!offeredPairs.some((p) => p.token === defaultToken && p.chainId === defaultChainId)) {
    throw new PayInOptionsError(
      `Options \`allowedTokens\`/\`allowedChains\` do not include the default ${defaultToken} on ${defaultChainId}; add them or change \`defaultToken\`/\`defaultChainId\`.`
    )
  }

  return {
    ...raw,
    baseUrl: (raw.baseUrl ?? PAYIN_BASE_URLS[raw.environment]).replace(/\/+$/, ""),
    defaultToken,
    defaultChainId,
    offeredPairs,
    acceptedCurrencies: raw.acceptedCurrencies.map((c) => c.toLowerCase()),
    backendUrl: raw.backendUrl.replace(/\/+$/, ""),
  }
}
