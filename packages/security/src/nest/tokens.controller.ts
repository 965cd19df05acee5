import { Body, Controller, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { parseCreateTokenRequest } from '../auth/token-request';
import { AccessTokens, type IssuedToken, type TokenView } from './access-tokens.service';
import { Audited, Principal, RequireScopes } from './decorators';
import { requestIdOf, type SecuredRequest } from './request-context';

/** The token admin API; a token is shown only in the answer that created it. */
@Controller('v1/tokens')
@RequireScopes('tokens:manage')
export class TokensController {
  constructor(private readonly tokens: AccessTokens) {}

  @Post()
  @Audited('tokens.create', { resourceType: 'token', details: (_req, result) => (result ? { role: (result as TokenView).role, scopes: (result as TokenView).scopes } : undefined) })
  create(@Body() body: unknown, @Principal() issuer: Principal, @Req() req: SecuredRequest, @Res({ passthrough: true }) res: ServerResponse): Promise<IssuedToken> {
    res.setHeader('Cache-Control', 'no-store');
    return this.tokens.issue(parseCreateTokenRequest(body), issuer, requestIdOf(req));
  }

  @Get()
  list(): { items: TokenView[] } {
    return { items: this.tokens.list() };
  }

  @Get(':id')
  get(@Param('id') id: string): TokenView {
    return this.tokens.get(id);
  }

  @Post(':id/revoke')
  @HttpCode(200)
  @Audited('tokens.revoke', { resourceType: 'token' })
  revoke(@Param('id') id: string, @Principal() by: Principal, @Req() req: SecuredRequest): Promise<TokenView> {
    return this.tokens.revoke(id, by, requestIdOf(req));
  }
}

