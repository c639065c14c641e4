import { ConfigurationBotFrameworkAuthentication } from 'botbuilder';

type ClaimsIdentity = Parameters<ConfigurationBotFrameworkAuthentication['createConnectorFactory']>[0];
type ConnectorFactory = ReturnType<ConfigurationBotFrameworkAuthentication['createConnectorFactory']>;
type AuthenticateRequestResult = Awaited<ReturnType<ConfigurationBotFrameworkAuthentication['authenticateRequest']>>;
type Activity = Parameters<ConfigurationBotFrameworkAuthentication['authenticateRequest']>[0];

/** The part of @azure/core-rest-pipeline's Pipeline we touch (ConnectorClient keeps it in a private field). */
interface PipelineLike {
  removePolicy(options: { name?: string; phase?: 'Deserialize' | 'Serialize' | 'Retry' | 'Sign' }): unknown;
  addPolicy(policy: { name: string; sendRequest(request: { timeout: number }, next: (r: { timeout: number }) => Promise<unknown>): Promise<unknown> }): void;
}

export interface TeamsCredentials {
  appId?: string;
  appPassword?: string;
  appType?: string;
  tenantId?: string;
  devNoAuth: boolean;
}

/**
 * Bot Framework authentication from the MicrosoftApp* settings, with ConnectorClients that
 * never retry.
 *
 * Why no retries: botframework-connector 4.23 builds its ConnectorClient on @azure/core-client,
 * whose default pipeline has `defaultRetryPolicy` in the "Retry" phase (core-rest-pipeline
 * 1.24: throttlingRetryStrategy sleeps for Retry-After on 429/503, exponentialRetryStrategy
 * retries 408/5xx and network errors, 3 retries in all). ConnectorClientOptions cannot reach
 * it: ServiceClientContext passes only endpoint, proxy, httpClient and credential scopes on,
 * never `retryOptions`. So every client the factories create loses that phase here, and gets a
 * request timeout (core-rest-pipeline has none by default). The delivery engine
 * (src/delivery) is then the only layer that retries, with its own backoff and Retry-After,
 * across restarts and replicas; an inbound turn is never held by a sleeping retry either.
 * Not covered: MSAL's token request to Entra ID, which is cached for about an hour.
 */
export class NoRetryBotFrameworkAuthentication extends ConfigurationBotFrameworkAuthentication {
  constructor(
    credentials: TeamsCredentials,
    private readonly timeoutMs = 10_000,
  ) {
    // Without an app id the configuration accepts every request, even one with a garbage
    // bearer token (STACK-NOTES.md): only ever for TEAMS_DEV_NO_AUTH=1.
    super(
      credentials.devNoAuth
        ? {}
        : {
            MicrosoftAppId: credentials.appId,
            MicrosoftAppPassword: credentials.appPassword,
            MicrosoftAppType: credentials.appType,
            MicrosoftAppTenantId: credentials.tenantId,
          },
    );
  }

  /** Inbound turns: replies and TeamsInfo calls use the factory made here. */
  override async authenticateRequest(activity: Activity, authHeader: string): Promise<AuthenticateRequestResult> {
    const result = await super.authenticateRequest(activity, authHeader);
    if (result.connectorFactory) this.withoutRetries(result.connectorFactory);
    return result;
  }

  /** Proactive sends (continueConversationAsync) use this one. */
  override createConnectorFactory(claimsIdentity: ClaimsIdentity): ConnectorFactory {
    return this.withoutRetries(super.createConnectorFactory(claimsIdentity));
  }

  private withoutRetries(factory: ConnectorFactory): ConnectorFactory {
    const create = factory.create.bind(factory);
    const timeoutMs = this.timeoutMs;
    factory.create = async (serviceUrl: string, audience?: string) => {
      const client = await create(serviceUrl, audience);
      const pipeline = (client as unknown as { client?: { pipeline?: PipelineLike } }).client?.pipeline;
      if (!pipeline) throw new Error('botframework-connector changed: ConnectorClient has no pipeline to take the retry policy from');
      pipeline.removePolicy({ phase: 'Retry' });
      pipeline.addPolicy({
        name: 'kooperatorTimeout',
        sendRequest: (request, next) => {
          if (!request.timeout) request.timeout = timeoutMs;
          return next(request);
        },
      });
      return client;
    };
    return factory;
  }
}
