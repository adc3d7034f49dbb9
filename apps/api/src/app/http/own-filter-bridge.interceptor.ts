import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { EXCEPTION_FILTERS_METADATA } from '@nestjs/common/constants';
import { type Observable, catchError, throwError } from 'rxjs';
import { CodedFailure } from '@homeward/domain';
import { httpExceptionOf } from './problem.filter';

/**
 * A controller with its own exception filter (the FHIR endpoints answer OperationOutcomes) does not
 * reach the global ProblemFilter, and its filter may know only HttpExceptions. For those routes a
 * domain error thrown by shared code (ward access, pipes) is turned into the HttpException the
 * error table gives, so it keeps its status there too. Routes without their own filter are left to
 * the ProblemFilter.
 */
@Injectable()
export class OwnFilterBridgeInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const own = [context.getClass(), context.getHandler()].some((target) => ((Reflect.getMetadata(EXCEPTION_FILTERS_METADATA, target) as unknown[] | undefined) ?? []).length > 0);
    if (!own) return next.handle();
    return next.handle().pipe(catchError((error: unknown) => throwError(() => (error instanceof CodedFailure ? httpExceptionOf(error.error) : error))));
  }
}
