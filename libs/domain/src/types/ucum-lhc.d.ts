// The slice of @lhncbc/ucum-lhc (NLM's UCUM library, which ships no type declarations) that
// libs/domain uses.
declare module '@lhncbc/ucum-lhc' {
  export interface ConvertUnitResult {
    status: 'succeeded' | 'failed' | 'error';
    toVal: number | null;
    msg: string[];
  }
  export class UcumLhcUtils {
    static getInstance(): UcumLhcUtils;
    convertUnitTo(
      fromUnitCode: string,
      fromVal: number,
      toUnitCode: string,
      options?: { suggest?: boolean; molecularWeight?: number | null },
    ): ConvertUnitResult;
  }
}
