// Each import below must be rejected by @nx/enforce-module-boundaries: the domain is pure.
import pg from 'pg';
import { Injectable } from '@nestjs/common';
import { Subject } from 'rxjs';
import { readFileSync } from 'node:fs';

export const forbidden = [pg, Injectable, Subject, readFileSync];
