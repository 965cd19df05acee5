import { BadRequestException, ConflictException, HttpException, NotFoundException } from '@nestjs/common';
import { toProblem } from './problem-details.filter';
import { ServiceError } from './service.error';

describe('toProblem', () => {
  it('maps a plain HTTP error to about:blank with a code derived from its status', () => {
    expect(toProblem(new NotFoundException('profile p-1 not found'))).toEqual({
      type: 'about:blank',
      title: 'Not Found',
      status: 404,
      detail: 'profile p-1 not found',
      code: 'NOT_FOUND',
    });
  });

  it('lists every complaint of a rejected request', () => {
    const problem = toProblem(new BadRequestException(['email must be an email', 'points must be positive']));
    expect(problem).toMatchObject({ status: 400, code: 'BAD_REQUEST', detail: 'email must be an email; points must be positive' });
    expect(problem.errors).toEqual(['email must be an email', 'points must be positive']);
  });

  it('adds the extensions of a service error without letting them replace the standard members', () => {
    const error = new ServiceError('INVALID_RULES', 'the rules have 1 problem', 422, { extensions: { violations: [{ path: 'caps' }], status: 200 } });
    expect(toProblem(error)).toEqual({
      type: 'urn:cdp:problem:invalid-rules',
      title: 'Unprocessable Entity',
      status: 422,
      detail: 'the rules have 1 problem',
      code: 'INVALID_RULES',
      violations: [{ path: 'caps' }],
    });
  });

  it('keeps the code an HTTP error carries in its body', () => {
    expect(toProblem(new ConflictException({ code: 'MERGE_CONFLICT', message: 'profiles changed meanwhile' }))).toEqual({
      type: 'urn:cdp:problem:merge-conflict',
      title: 'Conflict',
      status: 409,
      detail: 'profiles changed meanwhile',
      code: 'MERGE_CONFLICT',
    });
  });

  it('maps a coded error (ServiceError or any error shaped like it) to its status and code', () => {
    expect(toProblem(new ServiceError('POINTS_INSUFFICIENT', 'balance 10 < 25', 422))).toEqual({
      type: 'urn:cdp:problem:points-insufficient',
      title: 'Unprocessable Entity',
      status: 422,
      detail: 'balance 10 < 25',
      code: 'POINTS_INSUFFICIENT',
    });
    const moduleError = Object.assign(new Error('segment s-9 is archived'), { code: 'SEGMENT_ARCHIVED', status: 409 });
    expect(toProblem(moduleError)).toMatchObject({ status: 409, code: 'SEGMENT_ARCHIVED' });
  });

  it('answers anything else as a 500 that reveals nothing of the error', () => {
    const leaky = Object.assign(new Error('password authentication failed for user "cdp"'), { code: '28P01' });
    expect(toProblem(leaky)).toEqual({
      type: 'urn:cdp:problem:internal-error',
      title: 'Internal Server Error',
      status: 500,
      detail: 'The service failed to handle the request.',
      code: 'INTERNAL_ERROR',
    });
    expect(toProblem('thrown string').status).toBe(500);
    expect(toProblem(new HttpException('teapot', 418)).code).toBe('I_M_A_TEAPOT');
  });
});
