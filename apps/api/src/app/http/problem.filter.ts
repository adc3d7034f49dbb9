import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { CodedFailure } from '@homeward/domain';
import { INTERNAL_PROBLEM, type Problem, problemOf, problemOfStatus } from './error-table';

interface ResponseLike {
  headersSent: boolean;
  status(code: number): ResponseLike;
  json(body: unknown): unknown;
  end(): unknown;
}

/** Any thrown value as the problem the API answers with (the error table decides status and body). */
export function problemOfThrown(exception: unknown): Problem | undefined {
  if (exception instanceof CodedFailure) return problemOf(exception.error);
  if (exception instanceof HttpException) return problemOfStatus(exception.getStatus(), exception.getResponse(), exception.message);
  return undefined;
}

/**
 * The API's one exception filter (global): domain errors (`CodedFailure`) are answered as the error
 * table says, framework exceptions get the same body shape with a code, and anything else is a 500
 * that says nothing of our internals (the stack goes to the log).
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('Problem');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const response = host.switchToHttp().getResponse<ResponseLike>();
    const problem = problemOfThrown(exception) ?? INTERNAL_PROBLEM;
    if (problem === INTERNAL_PROBLEM) this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    // A live stream that fails after its headers went out can only be ended.
    if (response.headersSent) {
      response.end();
      return;
    }
    response.status(problem.status).json(problem.body);
  }
}
