import { Controller, Get, Headers, Param, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../auth/access.decorator.js';
import { NoPersonalData } from '../privacy/processing.decorator.js';
import { POLICY_VERSION } from './policy-version.js';
import { PrivacyPolicy, policyLanguage } from './privacy-policy.js';

/** The public privacy policy (docs/api-contract.md#privacy): the link in every onboarding notice points here. */
@ApiTags('privacy')
@Controller('privacy')
export class PrivacyPolicyController {
  constructor(private readonly policy: PrivacyPolicy) {}

  @Get()
  @Public('the privacy policy is for everyone, including alarm contacts who have no account')
  @NoPersonalData('a fixed text and the declarations of processing; nothing about any person')
  @ApiOperation({ summary: 'The current privacy policy, HTML' })
  @ApiQuery({ name: 'lang', required: false, enum: ['sv', 'nb', 'en'] })
  current(@Query('lang') lang: string | undefined, @Headers('accept-language') accept: string | undefined, @Res() res: Response): void {
    this.send(res, POLICY_VERSION, lang, accept);
  }

  @Get(':version')
  @Public('earlier versions stay readable: a notice links to the policy that was current when it was sent')
  @NoPersonalData('a fixed text and the declarations of processing; nothing about any person')
  @ApiOperation({ summary: 'One version of the privacy policy, HTML; 404 for an unknown version' })
  @ApiQuery({ name: 'lang', required: false, enum: ['sv', 'nb', 'en'] })
  version(
    @Param('version') version: string,
    @Query('lang') lang: string | undefined,
    @Headers('accept-language') accept: string | undefined,
    @Res() res: Response,
  ): void {
    this.send(res, version, lang, accept);
  }

  private send(res: Response, version: string, lang: string | undefined, accept: string | undefined): void {
    const language = policyLanguage(lang, accept);
    const html = this.policy.render(version, language);
    res.status(200).type('text/html; charset=utf-8').setHeader('Content-Language', language).setHeader('Vary', 'Accept-Language').send(html);
  }
}
